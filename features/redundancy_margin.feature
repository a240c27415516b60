@quorum @storage
Feature: The oracle's redundancy margin
  Whenever the run takes a node out of service (its suspend, its restart), the cluster must
  still be able to lose one more node, unplanned, without losing cluster quorum, the storage
  pool's quorum, a volume, or room for a running VM. Nodes already down count as out. A
  cluster that cannot lose two nodes even when whole (two nodes, two-way mirror volumes)
  has no margin to keep with one node out: there the invariant does not apply, and the
  report says why.

  Scenario: The eight-node three-way mirror keeps a margin of one node at every step
    Given the bundled scenario "eight-node-three-way-mirror"
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And the redundancy margin applies and holds
    And every invariant holds

  Scenario: The sixty-four-node SAN cluster keeps a margin of one node at every step
    Given the bundled scenario "sixty-four-node-san"
    When the run is rehearsed with the scenario's own seed
    Then the redundancy margin applies and holds

  Scenario: A two-way mirror has no margin with one node out, by design
    Given the bundled scenario "four-node-rolling"
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And the redundancy margin does not apply because "two-way-mirror volume vol01 tolerates 1 fault domain"
    And every invariant holds

  Scenario: A two-node cluster has no margin with one node out, by design
    Given the bundled scenario "two-node-cloud-witness"
    When the run is rehearsed with the scenario's own seed
    Then the redundancy margin does not apply because "cannot lose two nodes"

  Scenario: Taking a node out while another is down leaves no margin in a small SAN cluster
    Given the scenario:
      """
      name: bdd-margin-san-one-down
      cluster:
        name: san05
        witness: none
        nodes: {count: 5, memory_gb: 256}
        workloads:
          vms: {count: 10, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 15, restart: true}
      """
    And node5 is already down
    And node4 is already down
    And the profile sets node_order to [node1, node2, node3, node4, node5]
    When the run is rehearsed with seed 3
    Then node1 reports Succeeded
    And the redundancy margin is violated when "node1" is taken out: "would lose quorum"
    And every invariant but "redundancy-margin" holds
