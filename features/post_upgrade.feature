@rolling
Feature: Post-installation steps of a feature update (the guide's "Post installation steps")
  Once every node runs the new version, the guide raises the cluster functional level
  (Update-ClusterFunctionalLevel), then the storage pool version (Update-StoragePool) — both
  irreversible: no rollback to the old version afterwards — optionally upgrades each VM's
  configuration version (stop, Update-VMVersion, start), and validates the cluster
  (Test-Cluster). pycau does them after the last node and the follow-up quality pass when the
  profile asks (update_functional_level, update_vm_version), never over a mixed-mode cluster,
  and never with more VMs off at once than max_vms_down allows; the report's cluster_versions
  section shows every version before and after and whether a rollback is still possible.

  Background:
    Given the bundled scenario "feature-update-post-steps"

  Scenario: The steps follow the feature update in the guide's order
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And the post-installation steps were functional-level done, storage-pool done, vm-version done, validation passed
    And the post-installation steps began after every node of both passes was final
    And the cluster went from 20H2 to 21H2 with the functional level and the pool version from 11 to 12
    And every VM went from configuration version 9.2 to 10.0
    And a rollback is no longer possible
    And every invariant holds
    And the invariant "vm-version-downtime" holds

  Scenario: VMs are upgraded at most max_vms_down at a time, with consented downtime
    Given the profile sets max_vms_down to 3
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And at most 3 VMs were off at once, and every VM runs again
    And the oracle lists 16 VMs stopped for Update-VMVersion as consented downtime
    And every invariant holds

  Scenario: Without update_functional_level no VM can be upgraded, and a rollback stays possible
    Given the profile sets update_functional_level to false
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And the post-installation steps were vm-version unchanged, validation skipped
    And at most 0 VMs were off at once, and every VM runs again
    And a rollback is still possible
    And every invariant holds

  Scenario: A node left at the old version: the functional level is not raised, and the report says why
    Given the bundled scenario "post-upgrade-mixed-refused"
    When the run is rehearsed with the scenario's own seed
    Then the run ends PartiallyFailed
    And the post-installation steps were functional-level skipped, storage-pool skipped, vm-version unchanged, validation skipped
    And the functional-level step says "node2 still runs 20H2 while other nodes run 21H2"
    And a rollback is still possible
    And the invariant "report-truth" holds

  Scenario: A cluster upgraded earlier gets only the post-installation steps
    Given the bundled scenario "post-upgrade-only"
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And the post-installation steps were functional-level done, storage-pool done, vm-version done, validation passed
    And at most 1 VMs were off at once, and every VM runs again
    And every invariant holds

  Scenario: Storage Replica: every second restart comes before the post-installation steps
    Given the bundled scenario "feature-update-storage-replica-post-steps"
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And every node was restarted 2 times with a full reboot
    And the post-installation steps began after every node of both passes was final
    And the post-installation steps were functional-level done, storage-pool done, validation passed
    And every invariant holds

  Scenario: update_functional_level over mixed versions with no feature update is bad input
    Given the scenario:
      """
      name: bdd-post-upgrade-mixed
      cluster:
        name: hci20
        witness: cloud
        version: 20H2
        nodes: {count: 4, versions: {node3: 21H2}}
        workloads:
          vms: {count: 4, memory_gb: 16}
      updates:
        - {id: KB1, title: quality update, install_minutes: 10, restart: true}
      profile:
        update_functional_level: true
      """
    When the scenario is loaded
    Then it is refused at $.profile.update_functional_level with "the nodes run 20H2 and 21H2 and no feature update (kind: feature) is offered"
