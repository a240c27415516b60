@profile
Feature: The rest of CAU's run options
  Invoke-CauRun's remaining options, each with CAU's default and a real effect: retries of a
  suspend refused while a clustered space is degraded, the forced pause variants, skipping
  the update checks, the site-aware order, the reboot mode and the Remote Shutdown firewall
  rules. pycau's safety rules hold above every option: no node is restarted with clustered
  roles online and quorum is never put at risk, so an option that would break them is
  refused. Every scenario is rehearsed in the simulator and judged by the run report and by
  the oracle that watches the simulated world.

  Background:
    Given the scenario:
      """
      name: bdd-run-options
      seed: 7
      cluster:
        name: hci01
        witness: cloud
        nodes: {count: 4, memory_gb: 384, boot_minutes: 8, soft_boot_minutes: 2}
        storage:
          repair_mb_s: 400
          volumes:
            - {name: vol01, resiliency: two-way-mirror, size_gb: 4096, write_mb_s: 40}
        workloads:
          vms: {count: 24, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 15, restart: true}
      """

  Scenario: A suspend refused while a clustered space is degraded is retried, not a new attempt
    Given the clustered-space state lags every resync by 2 minutes
    And the profile sets suspend_retries_per_node to 12
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And every node reports Succeeded after 1 attempt
    And the suspend of node2 was refused at least 3 times before it was accepted
    And every invariant holds

  Scenario: When the suspend retries are over the node fails and the run moves on
    Given the clustered-space state lags every resync by 1 minute
    And the profile sets suspend_retries_per_node to 2
    And the profile sets max_failed_nodes to 3
    When the run is rehearsed with seed 7
    Then node2 reports Failed after 1 attempt
    And node2 was never suspended
    And the error of node2 says "no more retries after 2 retries, moving on to the next node"
    And event 1016 was logged for node2
    And node3 reports Succeeded after 1 attempt
    And every invariant holds

  Scenario: The suspend timeout ends the retries even when retries are left
    Given the clustered-space state lags every resync by 2 minutes
    And the profile sets suspend_cluster_node_timeout_minutes to 0.5
    And the profile sets max_failed_nodes to 3
    When the run is rehearsed with seed 7
    Then node2 reports Failed after 1 attempt
    And the error of node2 says "no more retries after 0.5 minutes"
    And every invariant holds

  Scenario: A forced drain fails over the role that cannot move, with consented downtime
    Given a VM on node1 refuses to migrate
    And the profile sets force_pause_and_drain to true
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And node1 reports Succeeded after 1 attempt
    And the oracle lists 1 consented forced failover on node1
    And every invariant holds

  Scenario: Without a forced drain the same role makes its node fail
    Given a VM on node1 refuses to migrate
    When the run is rehearsed with seed 7
    Then node1 reports Failed after 3 attempts
    And node1 was restarted 0 times
    And the oracle lists no consented forced failover

  Scenario: A forced drain and reboot restarts a node no update asks to restart
    Given the update KB5031364 needs no restart
    And the profile sets force_pause_drain_and_reboot to true
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And every node was restarted 1 time with a full reboot
    And every invariant holds

  Scenario: Pausing without a drain is refused before anything runs
    Given the profile sets force_pause_no_drain to true
    When the scenario is loaded
    Then it is refused at $.profile.force_pause_no_drain with "never restarts a node with clustered roles online"

  Scenario Outline: Options that contradict each other are refused with one sentence
    Given the profile sets <first> to <one>
    And the profile sets <second> to <two>
    When the scenario is loaded
    Then it is refused at $.profile.<path> with "<words>"

    Examples:
      | first                 | one         | second                       | two    | path                         | words                 |
      | force_pause_and_drain | true        | force_pause_drain_and_reboot | true   | force_pause_drain_and_reboot | set one of them       |
      | reboot_mode           | full        | attempt_soft_reboot          | true   | reboot_mode                  | keep one of them      |
      | reboot_mode           | soft        | attempt_soft_reboot          | false  | reboot_mode                  | is false              |
      | attempt_soft_reboot   | true        | soft_reboot                  | false  | attempt_soft_reboot          | disagree              |
      | node_order            | [node2]     | site_aware_updating_order    | [A]    | site_aware_updating_order    | give one of them      |
      | reboot_mode           | plugin-custom | max_failed_nodes           | 1      | reboot_mode                  | plugin-custom leaves  |

  Scenario: Without the update checks each node is scanned at its turn
    Given the profile sets skip_update_checks to true
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And no node was scanned before the run
    And every node reports Succeeded after 1 attempt
    And every invariant holds

  Scenario: Without the update checks a feature update stops the run before its node is drained
    Given the scenario also offers the feature update FU-21H2 to node3
    And the profile sets skip_update_checks to true
    When the run is rehearsed with seed 7
    Then the run ends Failed with FeatureUpdateNotChecked
    And node3 was never suspended
    And the run error names FU-21H2, skip_update_checks

  Scenario: Sites are updated one after another in the order the profile gives
    Given node1 and node3 are in site Seattle
    And node2 and node4 are in site Redmond
    And the profile sets site_aware_updating_order to [Redmond, Seattle]
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And the nodes were updated in the order node2, node4, node1, node3
    And every invariant holds

  Scenario: A site order naming a site the cluster does not have is refused
    Given node1 and node3 are in site Seattle
    And the profile sets site_aware_updating_order to [Seattle, Paris]
    When the scenario is loaded
    Then it is refused at $.profile.site_aware_updating_order[1] with "unknown site 'Paris'"

  Scenario: The cluster's CauEnableSoftReboot property makes the restarts soft
    Given the cluster's CauEnableSoftReboot property is 1
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And every node was restarted 1 time with a soft reboot
    And every invariant holds

  Scenario: reboot_mode full restarts fully whatever the cluster property says
    Given the cluster's CauEnableSoftReboot property is 1
    And the profile sets reboot_mode to full
    When the run is rehearsed with seed 7
    Then every node was restarted 1 time with a full reboot

  Scenario: A firmware update restarts fully although soft restarts are asked for
    Given the profile sets attempt_soft_reboot to true
    And the update KB5031364 needs firmware initialisation
    When the run is rehearsed with seed 7
    Then every node was restarted 1 time with a full reboot

  Scenario: A disabled Remote Shutdown rule group makes the restart fail, as under CAU
    Given the Remote Shutdown firewall rules are disabled on every node
    And the profile sets max_retries_per_node to 1
    And the profile sets max_failed_nodes to 1
    When the run is rehearsed with seed 7
    Then the run ends Failed with MaxFailedNodesExceeded
    And node1 reports Failed after 1 attempt
    And node1 reports no restart
    And the error of node1 says "Remote Shutdown firewall rule group is disabled on node1"
    And every invariant holds

  Scenario: enable_firewall_rules enables the rule groups before any node is touched
    Given the Remote Shutdown firewall rules are disabled on every node
    And the profile sets enable_firewall_rules to true
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And the Remote Shutdown firewall rules were enabled on every node before the first drain
    And every node was restarted 1 time with a full reboot
    And every invariant holds

  Scenario: A Group Policy that keeps the rules disabled wins over enable_firewall_rules
    Given the Remote Shutdown firewall rules are disabled on every node
    And a Group Policy keeps them disabled on node4
    And the profile sets enable_firewall_rules to true
    And the profile sets max_retries_per_node to 1
    When the run is rehearsed with seed 7
    Then the run ends PartiallyFailed
    And node4 reports Failed after 1 attempt
    And a warning names the Group Policy on node4
    And every invariant holds
