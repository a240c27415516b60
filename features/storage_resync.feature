@storage
Feature: Storage Spaces Direct health and resync
  Data written while a node is away must be repaired when it returns. The runner never
  suspends the next node while a repair job runs or a volume is not Healthy, and
  Suspend-ClusterNode is refused (ERROR_CLUSTER_SPACE_DEGRADED) while a space is degraded.

  Background:
    Given the scenario:
      """
      name: bdd-resync
      seed: 5
      cluster:
        name: hci02
        witness: cloud
        nodes: {count: 4, memory_gb: 384, boot_minutes: 8}
        storage:
          repair_mb_s: 200
          volumes:
            - {name: vol01, resiliency: two-way-mirror, size_gb: 4096, write_mb_s: 60}
            - {name: vol02, resiliency: two-way-mirror, size_gb: 2048, write_mb_s: 30}
        workloads:
          vms: {count: 16, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 15, restart: true}
      """
    And the profile sets node_order to [node1, node2, node3, node4]

  Scenario: The next node is suspended only after every repair job has finished
    When the run is rehearsed with seed 5
    Then the run ends Succeeded
    And node2 was suspended only after every repair job had finished
    And node3 was suspended only after every repair job had finished
    And node4 was suspended only after every repair job had finished
    And the invariant "resync-before-next" holds
    And the invariant "storage-redundancy" holds

  Scenario: Every returning node leaves repair jobs behind that the runner waits for
    When the run is rehearsed with seed 5
    Then at least 8 repair jobs ran
    And every updated node spent at least 1 simulated minute in resync
    And no two nodes were out of service at once

  Scenario: More data written while a node is away means a longer resync
    Given the volume vol01 is written at 240 MB/s
    When the run is rehearsed with seed 5
    Then the run ends Succeeded
    And node1's resync took longer than in the same run with vol01 written at 10 MB/s
    And every invariant holds

  Scenario: A crashed node must return and resync before the first node is suspended
    Given node3 crashes at minute 0 and comes back after 20 minutes
    When the run is rehearsed with seed 5
    Then the run ends Succeeded
    And node1 was not suspended before minute 20
    And node1 was suspended only after every repair job had finished
    And every invariant holds
