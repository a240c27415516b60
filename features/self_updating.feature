@failures
Feature: Self-updating mode: CAU's role on the cluster and coordinator take-over
  With coordinator self-updating, the coordinator runs on a cluster node, the owner of
  CAU's clustered role. Before the run pauses that node the role moves to another Up node,
  and the coordinator there takes the run over from the run state published in the
  cluster. A crash of the role's host fails it over the same way; when every coordinator
  is down past the run lock's lease, the run waits and one takes it over. No node is
  installed or restarted twice.

  Scenario: The role moves off each node before the run pauses it
    Given the bundled scenario "four-node-rolling"
    And the coordinator is CAU's self-updating role on node1
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And the role moved from node1 to node4, then from node4 to node3
    And the invariant "coordinator-placement" holds
    And no node was restarted twice
    And every invariant holds

  Scenario: The role's host crashes mid-run and the role fails over
    Given the bundled scenario "four-node-rolling"
    And the coordinator is CAU's self-updating role on node1
    And the role's host crashes after checkpoint 300 and is back after 20 minutes
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And the run notes the coordinator crash and a take-over from the cluster's run state
    And no node was restarted twice
    And every invariant holds

  Scenario: Every coordinator is down past the lease, then one takes the run over
    Given the bundled scenario "four-node-rolling"
    And every coordinator is down for 30 minutes after checkpoint 300
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And the run notes the coordinator crash and a take-over from the cluster's run state
    And no node was restarted twice
    And every invariant holds
