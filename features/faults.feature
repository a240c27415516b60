@failures
Feature: The fault catalog beyond the foundation
  A management outage, a stalled resync, an offline witness, slow live migrations, an update
  that rolls back at boot and a failed drive. Each scenario injects one fault into the same
  four-node Storage Spaces Direct cluster and states what the run must (not) do.

  Background:
    Given the scenario:
      """
      name: bdd-fault-catalog
      seed: 41
      cluster:
        name: hci05
        witness: cloud
        nodes: {count: 4, memory_gb: 384, boot_minutes: 8}
        storage:
          repair_mb_s: 400
          volumes:
            - {name: vol01, resiliency: two-way-mirror, size_gb: 2048, write_mb_s: 20}
            - {name: vol02, resiliency: two-way-mirror, size_gb: 2048, write_mb_s: 20}
        workloads:
          vms: {count: 16, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 20, restart: true}
      """
    And the profile sets node_order to [node1, node2, node3, node4]

  Scenario: A management disconnect during an install is no failure and causes no double work
    Given the management network is down from minute 5 for 15 minutes
    When the run is rehearsed with seed 41
    Then the run ends Succeeded
    And no node reports an error
    And node1 was installed once and restarted once
    And node1 finished installing after minute 20
    And no node was installed or restarted twice
    And every invariant holds

  Scenario: A stalled resync holds the next node back until the repair has finished
    Given the first repair job of vol01 stalls for 40 minutes
    When the run is rehearsed with seed 41
    Then the run ends Succeeded
    And node2 was suspended only after every repair job had finished
    And node2 was not suspended before minute 70
    And every invariant holds

  Scenario: An offline witness during the first node's update keeps quorum
    Given the witness is offline from minute 3 for 30 minutes
    When the run is rehearsed with seed 41
    Then the run ends Succeeded
    And the invariant "quorum" holds
    And no two nodes were out of service at once
    And every invariant holds

  Scenario: Slow live migrations lengthen the drains but no VM goes down
    Given live migrations take 8 times as long
    When the run is rehearsed with seed 41
    Then the run ends Succeeded
    And every drain took longer than in the same run without the fault
    And no VM was ever down
    And every invariant holds

  Scenario: An update that rolls back at boot is an update loop: the node fails, not retried
    Given KB5031364 reports installed on node2 but rolls back at its restart
    And the profile sets max_retries_per_node to 3
    When the run is rehearsed with seed 41
    Then node2 failed with an update loop on KB5031364 after 1 attempt
    And event 1013 was logged for node2
    And node1 reports Succeeded
    And node3 reports Succeeded
    And node4 reports Succeeded
    And the run ends PartiallyFailed
    And every invariant holds

  Scenario: A failed drive degrades the volumes; no node is suspended until the rebuild ends
    Given a drive of node3 fails at minute 25
    When the run is rehearsed with seed 41
    Then the run ends Succeeded
    And node2 was suspended only after every repair job had finished
    And node2 was not suspended before minute 45
    And no two nodes were out of service at once
    And every invariant holds
