@rolling
Feature: Cluster shapes and bundled scenarios
  The same runner updates clusters of every size and storage layout, and every bundled
  scenario meets its own expectation.

  @storage
  Scenario: A three-way mirror on eight nodes is updated without losing redundancy
    Given the scenario:
      """
      name: bdd-eight-node-three-way
      cluster:
        name: hci08
        witness: cloud
        nodes: {count: 8, memory_gb: 512, boot_minutes: 6}
        storage:
          repair_mb_s: 400
          volumes:
            - {name: vol01, resiliency: three-way-mirror, size_gb: 8192, write_mb_s: 40}
            - {name: vol02, resiliency: dual-parity, size_gb: 8192, write_mb_s: 10}
        workloads:
          vms: {count: 64, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 12, restart: true}
      """
    When the run is rehearsed with seed 8
    Then the run ends Succeeded
    And every node reports Succeeded after 1 attempt
    And no two nodes were out of service at once
    And every invariant holds

  @storage
  Scenario: A SAN-backed cluster has no storage to resync
    Given the scenario:
      """
      name: bdd-san
      cluster:
        name: san06
        witness: file-share
        nodes: {count: 6, memory_gb: 512}
        workloads:
          vms: {count: 30, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 15, restart: true}
      """
    When the run is rehearsed with seed 2
    Then the run ends Succeeded
    And no repair job ran
    And no node spent any time in resync
    And every invariant holds

  Scenario: The default bundled scenario updates every node safely
    Given the bundled scenario "four-node-rolling"
    When the run is rehearsed with the scenario's own seed
    Then the scenario's own expectation holds
    And no two nodes were out of service at once
    And every invariant holds

  Scenario Outline: Every bundled scenario meets its own expectation
    Given the bundled scenario "<name>"
    When the run is rehearsed with the scenario's own seed
    Then the scenario's own expectation holds
    And the run ends <status>

    Examples:
      | name                        | status          |
      | two-node-cloud-witness      | Succeeded       |
      | four-node-rolling           | Succeeded       |
      | eight-node-three-way-mirror | Succeeded       |
      | sixteen-node-400-vms        | Succeeded       |
      | sixty-four-node-san         | Succeeded       |
      | fault-install-failure       | PartiallyFailed |
      | fault-boot-hang             | PartiallyFailed |
      | fault-drain-failure         | PartiallyFailed |
      | fault-node-crash            | Succeeded       |
      | fault-script-failure        | Succeeded       |
      | max-failed-nodes            | Failed          |
