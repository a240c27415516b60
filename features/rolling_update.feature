@rolling
Feature: Rolling updating run
  A CAU-style rolling run updates one node at a time: pre-update script, wait for
  storage health, suspend and drain, install, restart, re-scan, resume with failback,
  wait for resync, post-update script. Every scenario is rehearsed in the simulator and
  judged twice: by the run report and by the oracle that watches the simulated world.

  Background:
    Given the scenario:
      """
      name: bdd-four-node
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

  Scenario: A four-node cluster is updated one node at a time
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And every invariant holds
    And every node reports Succeeded after 1 attempt
    And every node installed KB5031364
    And no two nodes were out of service at once
    And every node was restarted 1 time with a full reboot
    And every node is Up at the end
    And event 1003 was logged
    And event 1004 was logged

  Scenario: Each node goes through the per-node phases in CAU's order
    When the run is rehearsed with seed 7
    Then every updated node went through storage_wait, drain, install, reboot, resume, resync in that order
    And every node entered maintenance before it was restarted and left it afterwards

  Scenario: The run takes at least the simulator's lower bound and finishes in time
    When the run is rehearsed with seed 7
    Then the run took no less than the simulated lower bound
    And the run finished within 240 simulated minutes

  @profile
  Scenario: An explicit node order is honoured
    Given the profile sets node_order to [node3, node1, node4, node2]
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And the nodes were updated in the order node3, node1, node4, node2
    And every invariant holds

  @profile
  Scenario: Without a node order the node with the fewest clustered roles goes first
    Given the virtual machines are placed as node1: 8, node2: 2, node3: 5, node4: 0
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And the nodes were updated in the order node4, node2, node3, node1
    And every invariant holds

  @profile
  Scenario: Soft reboot restarts nodes with a kernel soft reboot and shortens the run
    Given the profile sets soft_reboot to true
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And every node was restarted 1 time with a soft reboot
    And the run was shorter than the same run with soft_reboot false
    And every invariant holds

  @profile
  Scenario: An update that needs firmware initialisation forces a full reboot
    Given the profile sets soft_reboot to true
    And the update KB5031364 needs firmware initialisation
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And every node was restarted 1 time with a full reboot

  @profile
  Scenario: Pre- and post-update scripts run around maintenance mode on every node
    Given the profile sets pre_update_script to "C:\ClusterStorage\Scripts\pre.ps1"
    And the profile sets post_update_script to "C:\ClusterStorage\Scripts\post.ps1"
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And on every node the pre-update script finished before the node was suspended
    And on every node the post-update script started after the node was resumed
    And every invariant holds

  @profile
  Scenario: Failback immediate brings the drained virtual machines back
    Given the profile sets failback_mode to immediate
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And more VMs were live-migrated than in the same run with failback_mode none
    And every invariant holds

  @profile
  Scenario: Failback none leaves the drained virtual machines where they went
    Given the profile sets failback_mode to none
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And every node is Up at the end
    And every invariant holds

  @profile
  Scenario: Failback policy follows the groups' default policy and moves nothing back
    Given the profile sets failback_mode to policy
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And fewer VMs were live-migrated than in the same run with failback_mode immediate
    And as many VMs were live-migrated as in the same run with failback_mode none
    And every node is Up at the end
    And every invariant holds

  @profile
  Scenario: WarnAfter logs a warning and the run goes on
    Given the profile sets warn_after_minutes to 30
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And a warning event 1001 was logged after 30 simulated minutes
    And every invariant holds

  @profile
  Scenario: Without WarnAfter no timeout warning is logged
    When the run is rehearsed with seed 7
    Then event 1001 was not logged
    And event 1002 was not logged

  @profile
  Scenario: StopAfter cancels a run that takes too long
    Given the profile sets stop_after_minutes to 45
    When the run is rehearsed with seed 7
    Then the run ends Canceled with StopAfterExceeded
    And event 1002 was logged
    And the run finished within 75 simulated minutes
    And node1 reports Succeeded
    And node4 reports Canceled
    And every node is Up at the end
    And every invariant holds

  Scenario: Updates that become applicable after the first pass are installed in the same visit
    Given the scenario also offers KB5032190 "2023-11 Servicing Stack Update" after KB5031364
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And every node installed KB5031364
    And every node installed KB5032190
    And every node was restarted 2 times with a full reboot
    And no two nodes were out of service at once
    And every invariant holds

  Scenario: An update that needs no restart does not restart the node
    Given the update KB5031364 needs no restart
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And every node installed KB5031364
    And every node was restarted 0 times
    And every invariant holds

  Scenario: A node with nothing to install is not put into maintenance
    Given the update KB5031364 is offered only to node1, node2, node3
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And node4 was never suspended
    And node4 reports Succeeded
    And every invariant holds

  Scenario: The same scenario and seed give the same report
    When the run is rehearsed twice with seed 11
    Then both reports are identical apart from the wall-clock measurements
