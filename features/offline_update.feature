@profile
Feature: The fast, offline update of all servers in a cluster
  The guide's "Perform a fast, offline update of all servers in a cluster": when downtime is
  acceptable, every node is updated at the same time. The plan states the planned downtime
  and asks before anything changes; the running VMs are saved, the virtual disks taken
  offline, the cluster stopped and its service Disabled on every node; every node installs
  and restarts at once; then the service is set back to Automatic, the cluster started, the
  disks brought online once the pool is healthy and the saved VMs started. The oracle waives
  the rolling invariants that the consented downtime breaks on purpose, and judges instead
  that every VM, every disk and every node's cluster service come back and that the cluster
  starts with quorum — also when the run fails.

  Background:
    Given the scenario:
      """
      name: bdd-offline
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
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 20, restart: true}
      profile:
        mode: offline
        reboot_timeout_minutes: 15
        max_failed_nodes: 1
      """

  Scenario: Every node is updated at the same time, with the guide's steps in order
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And the report's mode is offline
    And the cluster-wide steps ran in the guide's order
    And every node was restarted 1 time with a full reboot
    And every node restarted inside the same restart step
    And every running VM was saved first and runs again at the end
    And the rolling invariant "workload-availability" is reported not applicable
    And every invariant of an offline run holds

  Scenario: The plan states the planned downtime before anything changes
    When the run is rehearsed with seed 7
    Then the planned downtime is stated before the first VM is saved
    And the report sets the planned downtime beside the real one

  Scenario: The offline update finishes sooner than the rolling run of the same cluster
    When the run is rehearsed offline and rolling with seed 7
    Then the offline run ends sooner than the rolling one

  @failures
  Scenario: A node that does not come back is left out and the cluster starts without it
    Given node3 hangs when it restarts
    When the run is rehearsed with seed 7
    Then the run ends PartiallyFailed
    And node3 reports Failed
    And node1 reports Succeeded
    And the cluster service of node3 is reported left Disabled with what to run when it is back
    And every running VM was saved first and runs again at the end
    And every invariant of an offline run holds

  @failures
  Scenario: An install failure on one node fails that node only and the window still closes
    Given node2 fails to install with 0x80240022 on 1 attempt
    When the run is rehearsed with seed 7
    Then the run ends PartiallyFailed
    And node2 reports Failed
    And node2 was restarted 0 times
    And node4 reports Succeeded
    And the cluster service is Automatic again on every node
    And every invariant of an offline run holds

  @failures
  Scenario: The management network lost while every node installs is waited out
    Given the management network is down from minute 10 for 25 minutes
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And no node was installed or restarted twice
    And every invariant of an offline run holds

  @failures
  Scenario: A coordinator that dies with the cluster stopped is resumed and closes the window
    Given the coordinator crashes after journal step 200
    When the run is rehearsed with seed 7
    Then the run ends Succeeded
    And the run notes the coordinator crash and the resume
    And no node was restarted twice
    And the cluster service is Automatic again on every node
    And every invariant of an offline run holds

  Scenario: Update scripts are refused in an offline update
    Given the profile sets pre_update_script to "C:\Scripts\pre.ps1"
    When the scenario is loaded
    Then it is refused at $.profile.pre_update_script with "the offline update takes every node down at once"
