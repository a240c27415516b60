@failures
Feature: The Azure Stack HCI update guide's known issues, detected and handled
  Each known issue of the guide is a data entry in runner/known_issues.py that says what
  pycau really does about it: mitigated automatically, refused with guidance, or detected
  and reported. A scenario here reproduces each issue (a scenario's known_issues switch) and
  its last step checks that behaviour on the run's report, not the catalog's word.

  Background:
    Given the scenario:
      """
      name: bdd-known-issues
      seed: 61
      cluster:
        name: hci21
        witness: cloud
        nodes: {count: 4, memory_gb: 384, boot_minutes: 8, os_build: "17784.1827"}
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

  Scenario: Lost management connectivity while updates install is no failure
    Given the scenario reproduces the known issue "lost-management-connectivity"
    When the run is rehearsed with seed 61
    Then the run ends Succeeded
    And no node reports an error
    And node1 was installed once and restarted once
    And node1 finished installing after minute 20
    And no node was installed or restarted twice
    And every invariant holds
    And the known issue "lost-management-connectivity" is mitigated automatically

  Scenario: Storage needs to sync after each restart; no other node is touched until it has
    Given the scenario reproduces the known issue "storage-needs-sync"
    When the run is rehearsed with seed 61
    Then the run ends Succeeded
    And every updated node spent at least 1 simulated minute in resync
    And node2 was suspended only after every repair job had finished
    And node3 was suspended only after every repair job had finished
    And node4 was suspended only after every repair job had finished
    And no two nodes were out of service at once
    And every invariant holds
    And the known issue "storage-needs-sync" is mitigated automatically

  Scenario: Mixed patch levels make the scan offer several feature updates: refused up front
    Given the scenario reproduces the known issue "mixed-patch-levels"
    And the cluster is offered no quality update
    And the cluster is offered the feature update FU-21H2
    And node3, node4 run OS build 17784.1737
    When the run is rehearsed with seed 61
    Then the run ends Failed with MixedFeatureUpdateOffers
    And no node was touched
    And the run error names node3, node4, FU-21H2.17784.1737, KB5003237
    And the known issue "mixed-patch-levels" is refused with guidance

  Scenario: A cluster at one patch level takes the feature update
    Given the scenario reproduces the known issue "mixed-patch-levels"
    And the cluster is offered no quality update
    And the cluster is offered the feature update FU-21H2
    When the run is rehearsed with seed 61
    Then the run ends Succeeded
    And every node installed the feature update FU-21H2
    And every invariant holds

  Scenario: A cluster managed by VMM 2019 is refused the 21H2 feature update
    Given the scenario reproduces the known issue "vmm-2019-managed"
    And the cluster is offered the feature update FU-21H2
    When the run is rehearsed with seed 61
    Then the run ends Failed with UnsupportedManagement
    And no node was touched
    And the run error names Virtual, Machine, Manager, 2019, FU-21H2
    And the known issue "vmm-2019-managed" is refused with guidance

  Scenario: A cluster managed by VMM 2019 still takes quality updates
    Given the scenario reproduces the known issue "vmm-2019-managed"
    When the run is rehearsed with seed 61
    Then the run ends Succeeded
    And every node installed KB5031364
    And every invariant holds

  Scenario: The readiness check never completes; Test-Cluster's report lets the run go on
    Given the scenario reproduces the known issue "readiness-check-never-completes"
    And the profile sets validate_cluster to true
    And the profile sets validation_timeout_minutes to 10
    When the run is rehearsed with seed 61
    Then the run ends Succeeded
    And the run waited at most 10 minutes for the readiness check
    And a warning names the known issue and Test-Cluster's validation report
    And no node was suspended before the readiness check ended
    And every invariant holds
    And the known issue "readiness-check-never-completes" is mitigated automatically

  Scenario: The readiness check never completes and the report says failed: refused up front
    Given the scenario reproduces the known issue "readiness-check-never-completes"
    And the witness is offline from minute 0 for 60 minutes
    And the profile sets validate_cluster to true
    And the profile sets validation_timeout_minutes to 10
    When the run is rehearsed with seed 61
    Then the run ends Failed with ClusterValidationIncomplete
    And no node was touched
    And the run error names readiness-check-never-completes, Validation, Report, failed
    And the run was refused for the known issue "readiness-check-never-completes", with its guidance

  Scenario: CredSSP enabled for the run is disabled again at the end of a successful run
    Given the profile sets enable_credssp to true
    When the run is rehearsed with seed 61
    Then the run ends Succeeded
    And CredSSP was enabled before the first node was suspended
    And CredSSP was disabled at the end of the run on attempt 1
    And the cluster's CredSSP is disabled at the end
    And every invariant holds

  Scenario: CredSSP is disabled even when the run fails with MaxFailedNodesExceeded
    Given the profile sets enable_credssp to true
    And the profile sets max_failed_nodes to 0
    And node1 fails to install with 0x80240022 on 3 attempts
    When the run is rehearsed with seed 61
    Then the run ends Failed with MaxFailedNodesExceeded
    And CredSSP was disabled at the end of the run on attempt 1
    And the cluster's CredSSP is disabled at the end

  Scenario: The first disable of CredSSP is refused; pycau tries again and disables it
    Given the scenario reproduces the known issue "credssp-left-enabled"
    And the profile sets enable_credssp to true
    When the run is rehearsed with seed 61
    Then the run ends Succeeded
    And CredSSP was disabled at the end of the run on attempt 2
    And the cluster's CredSSP is disabled at the end
    And every invariant holds
    And the known issue "credssp-left-enabled" is mitigated automatically

  Scenario: CredSSP is already enabled on every node; pycau reads it, uses it, and leaves it as found
    Given the scenario reproduces the known issue "credssp-already-enabled"
    And the profile sets enable_credssp to true
    When the run is rehearsed with seed 61
    Then the run ends Succeeded
    And CredSSP was read on every node and found enabled before the run
    And pycau changed CredSSP on no node
    And a warning says CredSSP is left enabled as found
    And every invariant holds
    And the known issue "credssp-already-enabled" is mitigated automatically

  Scenario: Enabling CredSSP is refused on one node; nothing is left half enabled, no node is touched
    Given the scenario reproduces the known issue "credssp-delegation-refused"
    And the profile sets enable_credssp to true
    When the run is rehearsed with seed 61
    Then the run ends Failed with CredSSPEnableFailed
    And the run's error names node4 and the missing permission
    And the cluster's CredSSP is disabled at the end
    And every invariant holds
    And the known issue "credssp-delegation-refused" is refused with guidance

  Scenario: Every known issue of the guide is a data entry saying what pycau does about it
    Then the catalog lists the known issues lost-management-connectivity, mixed-patch-levels, readiness-check-never-completes, storage-replica-second-restart, storage-needs-sync, os-version-naming-mismatch, credssp-left-enabled, vmm-2019-managed, session-expiry, credssp-already-enabled, credssp-delegation-refused
    And the catalog says what pycau does about each known issue

  Scenario: The OS version naming mismatch: offered and installed versions reported as they are
    Given the scenario reproduces the known issue "os-version-naming-mismatch"
    And the cluster is offered no quality update
    And the cluster is offered the feature update FU-21H2
    When the run is rehearsed with seed 61
    Then the run ends Succeeded
    And every node installed the feature update FU-21H2
    And every node reports the update FU-21H2 titled "Feature update to Azure Stack HCI, version 22H2"
    And every node's restart event says it runs OS build 20348.288 (version 21H2)
    And the known issue "os-version-naming-mismatch" is detected and reported

  Scenario: Storage Replica: a restart still pending after the feature update's restart is done first
    Given the scenario reproduces the known issue "storage-replica-second-restart"
    And the cluster is offered no quality update
    And the cluster is offered the feature update FU-21H2
    And the profile sets post_update_script to "C:\Scripts\post.ps1"
    When the run is rehearsed with seed 61
    Then the run ends Succeeded
    And every node was restarted 2 times with a full reboot
    And on every node both restarts came before the post-update script
    And on every node the post-update script started after the node was resumed
    And every invariant holds
    And the known issue "storage-replica-second-restart" is mitigated automatically
