@storage
Feature: Storage maintenance mode on Windows Server 2022 and Azure Stack HCI 21H2 and later
  On Windows Server 2022 and Azure Stack HCI 21H2 and later, pausing and draining a node puts
  its drives into storage maintenance mode: from the suspend to the resume every volume's
  writes go degraded, and the repair jobs start at the resume. So a node's resync is the
  data written during its whole pause, not only while it was powered off, and the runner
  waits for it before the next node. Older versions (Windows Server 2016/2019, Azure Stack
  HCI 20H2) repair only what was written while the node was powered off; the scenario's
  storage.maintenance_mode forces either model.

  Background:
    Given the scenario:
      """
      name: bdd-storage-maintenance
      seed: 5
      cluster:
        name: hci03
        witness: cloud
        nodes: {count: 4, memory_gb: 384, boot_minutes: 8}
        storage:
          repair_mb_s: 400
          volumes:
            - {name: vol01, resiliency: two-way-mirror, size_gb: 4096, write_mb_s: 40}
            - {name: vol02, resiliency: two-way-mirror, size_gb: 4096, write_mb_s: 20}
        workloads:
          vms: {count: 16, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 20, restart: true}
      """
    And the profile sets node_order to [node1, node2, node3, node4]

  Scenario: On 21H2 each node resyncs what was written from its suspend to its resume
    Given the cluster runs Azure Stack HCI version 21H2
    When the run is rehearsed with seed 5
    Then the run ends Succeeded
    And every updated node's resync took the write rate times its pause over the repair rate
    And every updated node spent at least 4 simulated minute in resync
    And node2 was suspended only after every repair job had finished
    And node3 was suspended only after every repair job had finished
    And node4 was suspended only after every repair job had finished
    And every invariant holds

  Scenario: On 20H2 only the time a node was powered off is resynced, and sooner
    Given the cluster runs Azure Stack HCI version 20H2
    When the run is rehearsed with seed 5
    Then the run ends Succeeded
    And every updated node's resync was shorter than in the same run on version 21H2
    And every invariant holds

  Scenario Outline: The scenario's switch forces the model whatever the version
    Given the cluster runs Azure Stack HCI version <version>
    And storage maintenance mode is switched <switch>
    When the run is rehearsed with seed 5
    Then the run ends Succeeded
    And every updated node's resync <took> the write rate times its pause over the repair rate
    And every invariant holds

    Examples:
      | version | switch | took       |
      | 20H2    | on     | took       |
      | 21H2    | off    | never took |
