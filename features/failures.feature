@failures
Feature: Injected faults and failure budgets
  Faults come from the scenario: install-failure, boot-hang, drain-failure, node-crash and
  script-failure. The runner retries a node's whole process up to MaxRetriesPerNode and
  cancels the run when more than MaxFailedNodes nodes have failed.

  Background:
    Given the scenario:
      """
      name: bdd-faults
      seed: 9
      cluster:
        name: hci03
        witness: cloud
        nodes: {count: 4, memory_gb: 384, boot_minutes: 8}
        storage:
          repair_mb_s: 400
          volumes:
            - {name: vol01, resiliency: two-way-mirror, size_gb: 4096, write_mb_s: 20}
        workloads:
          vms: {count: 16, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 15, restart: true}
      """
    And the profile sets node_order to [node1, node2, node3, node4]

  Scenario: An install that keeps failing marks the node Failed after every retry
    Given node2 fails to install with 0x80240022 on 3 attempts
    When the run is rehearsed with seed 9
    Then node2 reports Failed with hresult 0x80240022 after 3 attempts
    And event 1013 was logged for node2
    And node1 reports Succeeded
    And node3 reports Succeeded
    And node4 reports Succeeded
    And the run ends PartiallyFailed
    And no two nodes were out of service at once
    And every invariant holds

  Scenario: An install that fails twice succeeds on the third attempt
    Given node2 fails to install with 0x8024200D on 2 attempts
    When the run is rehearsed with seed 9
    Then the run ends Succeeded
    And node2 reports Succeeded after 3 attempts
    And node2 installed KB5031364
    And every invariant holds

  @profile
  Scenario: MaxRetriesPerNode limits the attempts on a node
    Given the profile sets max_retries_per_node to 2
    And node2 fails to install with 0x80240022 on 2 attempts
    When the run is rehearsed with seed 9
    Then node2 reports Failed with hresult 0x80240022 after 2 attempts
    And the run ends PartiallyFailed
    And the invariant "failure-budget" holds

  @profile
  Scenario: More failed nodes than MaxFailedNodes cancel the rest of the run
    Given the profile sets max_failed_nodes to 1
    And node2 fails to install with 0x80240022 on 3 attempts
    And node3 fails to install with 0x80240022 on 3 attempts
    When the run is rehearsed with seed 9
    Then the run ends Failed with MaxFailedNodesExceeded and node4 was never suspended
    And node4 reports Canceled
    And event 1019 was logged
    And the invariant "failure-budget" holds
    And every invariant holds

  @profile
  Scenario: MaxFailedNodes 0 stops at the first failed node
    Given the profile sets max_failed_nodes to 0
    And node1 fails to install with 0x80240022 on 3 attempts
    When the run is rehearsed with seed 9
    Then the run ends Failed with MaxFailedNodesExceeded and node2 was never suspended
    And node3 was never suspended
    And node4 was never suspended
    And every invariant holds

  Scenario: A VM that refuses to migrate fails the drain and the node is not restarted
    Given a VM on node2 refuses to migrate
    When the run is rehearsed with seed 9
    Then node2 reports Failed after 3 attempts
    And event 1016 was logged for node2
    And node2 was restarted 0 times
    And node2 did not install KB5031364
    And node3 reports Succeeded
    And the invariant "workload-availability" holds
    And every invariant holds

  Scenario: A failing pre-update script keeps the node out of maintenance
    Given the profile sets pre_update_script to "C:\ClusterStorage\Scripts\pre.ps1"
    And the pre-update script fails on node2 for 3 attempts
    When the run is rehearsed with seed 9
    Then node2 reports Failed after 3 attempts
    And node2 was never suspended
    And node2 did not install KB5031364
    And node3 reports Succeeded
    And every invariant holds

  Scenario: A pre-update script that fails once is retried
    Given the profile sets pre_update_script to "C:\ClusterStorage\Scripts\pre.ps1"
    And the pre-update script fails on node2 for 1 attempt
    When the run is rehearsed with seed 9
    Then the run ends Succeeded
    And node2 reports Succeeded after 2 attempts
    And every invariant holds

  Scenario: A failing post-update script fails the node after it was resumed
    Given the profile sets post_update_script to "C:\ClusterStorage\Scripts\post.ps1"
    And the post-update script fails on node3 for 3 attempts
    When the run is rehearsed with seed 9
    Then node3 reports Failed after 3 attempts
    And node3 was resumed before its post-update script ran
    And every node is Up at the end
    And every invariant holds

  Scenario Outline: A node that hangs at boot fails after RebootTimeoutMinutes
    Given the scenario:
      """
      name: bdd-boot-hang
      cluster:
        name: san04
        witness: cloud
        nodes: {count: 4, memory_gb: 256, boot_minutes: 8}
        workloads:
          vms: {count: 12, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 15, restart: true}
      """
    And the profile sets node_order to [node1, node2, node3, node4]
    And the profile sets reboot_timeout_minutes to <timeout>
    And node2 hangs when it restarts
    When the run is rehearsed with seed 4
    Then node2 reports Failed after 1 attempt
    And event 1012 was logged for node2 between <timeout> and <within> minutes after event 1010
    And node3 reports Succeeded
    And node4 reports Succeeded
    And the run ends PartiallyFailed
    And every invariant holds

    Examples:
      | timeout | within |
      | 12      | 14     |
      | 40      | 42     |

  Scenario: A node that crashes during its install is updated after it comes back
    Given the scenario:
      """
      name: bdd-crash-during-install
      cluster:
        name: san04
        witness: cloud
        nodes: {count: 4, memory_gb: 256, boot_minutes: 8}
        workloads:
          vms: {count: 12, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 30, restart: true}
      """
    And the profile sets node_order to [node2, node1, node3, node4]
    And node2 crashes at minute 10 and comes back after 10 minutes
    When the run is rehearsed with seed 4
    Then the run ends Succeeded
    And node2 reports Succeeded after 2 attempts
    And node2 installed KB5031364
    And node2 started its last install after minute 20
    And every invariant holds

  Scenario: A node that crashes and stays down is never suspended
    Given the scenario:
      """
      name: bdd-crash-stays-down
      cluster:
        name: san04
        witness: cloud
        nodes: {count: 4, memory_gb: 256, boot_minutes: 8}
        workloads:
          vms: {count: 12, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 15, restart: true}
      """
    And the profile sets node_order to [node1, node2, node3, node4]
    And node4 crashes at minute 5 and stays down
    When the run is rehearsed with seed 4
    Then node4 was never suspended
    And node4 does not report Succeeded
    And the run does not end Succeeded
    And node1 reports Succeeded
    And every invariant holds
