@quorum
Feature: Quorum guard
  Before taking a node down the runner checks that the cluster (votes, dynamic quorum,
  witness) and the Storage Spaces Direct pool (drives, no dynamic quorum) survive it, and
  cancels the run with QuorumAtRisk (CAU event 1018) when they would not.

  Scenario: A two-node cluster with a cloud witness is updated
    Given the scenario:
      """
      name: bdd-two-node-witness
      cluster:
        name: edge01
        witness: cloud
        nodes: {count: 2, memory_gb: 256}
        storage:
          volumes:
            - {name: vol01, resiliency: two-way-mirror, size_gb: 1024, write_mb_s: 10}
        workloads:
          vms: {count: 6, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 15, restart: true}
      """
    When the run is rehearsed with seed 3
    Then the run ends Succeeded
    And every node reports Succeeded after 1 attempt
    And no two nodes were out of service at once
    And the invariant "quorum" holds
    And every invariant holds

  Scenario: A three-node cluster without witness and one node down is not touched
    Given the scenario:
      """
      name: bdd-three-node-one-down
      cluster:
        name: san03
        witness: none
        nodes: {count: 3, memory_gb: 256}
        workloads:
          vms: {count: 6, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 15, restart: true}
      """
    And node3 is already down
    When the run is rehearsed with seed 3
    Then the run ends Canceled with QuorumAtRisk
    And event 1018 was logged
    And no node was suspended
    And every invariant holds

  Scenario: A two-node Storage Spaces Direct cluster without witness is not touched
    Given the scenario:
      """
      name: bdd-two-node-no-witness
      cluster:
        name: edge02
        witness: none
        nodes: {count: 2, memory_gb: 256}
        storage:
          volumes:
            - {name: vol01, resiliency: two-way-mirror, size_gb: 1024, write_mb_s: 10}
        workloads:
          vms: {count: 4, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 15, restart: true}
      """
    When the run is rehearsed with seed 3
    Then the run ends Canceled with QuorumAtRisk
    And no node was suspended
    And every invariant holds

  Scenario: A four-node cluster without witness survives one node down and updates the rest
    Given the scenario:
      """
      name: bdd-four-node-san-one-down
      cluster:
        name: san04
        witness: none
        nodes: {count: 4, memory_gb: 256}
        workloads:
          vms: {count: 12, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 15, restart: true}
      """
    And node4 is already down
    And the profile sets node_order to [node1, node2, node3, node4]
    When the run is rehearsed with seed 3
    Then node1 reports Succeeded
    And node2 reports Succeeded
    And node3 reports Succeeded
    And node4 was never suspended
    And event 1018 was not logged
    And no two nodes were out of service at once
    And every invariant but "redundancy-margin" holds
    And the redundancy margin is violated when "node1" is taken out: "would lose quorum"

  @profile
  Scenario: RequireAllNodesOnline cancels the run when a node is down
    Given the scenario:
      """
      name: bdd-require-all-online
      cluster:
        name: san04
        witness: cloud
        nodes: {count: 4, memory_gb: 256}
        workloads:
          vms: {count: 12, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 15, restart: true}
      """
    And node2 is already down
    And the profile sets require_all_nodes_online to true
    When the run is rehearsed with seed 3
    Then the run ends Canceled with NodesOffline
    And event 1020 was logged
    And no node was suspended
    And every node reports Canceled
    And every invariant holds

  Scenario Outline: Cluster quorum survival follows the dynamic quorum table
    Given a cluster of <nodes> voting nodes with witness "<witness>"
    Then losing one node the cluster survives: <one>
    And losing two nodes one after the other the cluster survives: <in_turn>
    And losing two nodes at once the cluster survives: <at_once>

    Examples:
      | nodes | witness | one   | in_turn | at_once |
      | 2     | none    | 50/50 | no      | no      |
      | 2     | cloud   | yes   | no      | no      |
      | 3     | none    | yes   | 50/50   | no      |
      | 3     | cloud   | yes   | yes     | no      |
      | 4     | none    | yes   | yes     | 50/50   |
      | 4     | cloud   | yes   | yes     | yes     |
      | 5     | none    | yes   | yes     | yes     |
      | 6     | none    | yes   | yes     | yes     |

  Scenario Outline: Storage pool quorum has no dynamic adjustment
    Given a cluster of <nodes> voting nodes with witness "<witness>"
    Then losing one node the storage pool survives: <one>
    And losing two nodes at once the storage pool survives: <at_once>

    Examples:
      | nodes | witness | one | at_once |
      | 2     | none    | no  | no      |
      | 2     | cloud   | yes | no      |
      | 3     | none    | yes | no      |
      | 3     | cloud   | yes | no      |
      | 4     | none    | yes | no      |
      | 4     | cloud   | yes | yes     |
      | 5     | none    | yes | yes     |
