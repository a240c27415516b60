@rolling
Feature: The fast policy: waves of nodes, staged installs, no drain without a restart
  With policy fast the run keeps CAU's per-node steps and guards but takes several nodes out
  at once, as many as stay safe with one more node failing unplanned (or at most
  max_nodes_out), installs quality updates before the drain, and drains no node whose
  updates need no restart. The plan shows the waves before anything starts, the report keeps
  them, and the same oracle judges every run.

  Background:
    Given the scenario:
      """
      name: bdd-fast
      seed: 3
      cluster:
        name: hv06
        witness: file-share
        nodes: {count: 6, memory_gb: 256, boot_minutes: 8, soft_boot_minutes: 2}
        workloads:
          vms: {count: 24, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 20, restart: true}
      """

  Scenario: Two nodes out at a time halve the turns
    Given the profile sets policy to fast
    And the profile sets max_nodes_out to 2
    When the run is rehearsed with seed 3
    Then the run ends Succeeded
    And the waves run were node1, node2; node3, node4; node5, node6
    And the plan showed the same waves
    And the most nodes in maintenance at once was 2
    And every invariant holds

  Scenario: auto takes out as many nodes as quorum allows with one more failure
    Given the profile sets policy to fast
    And the profile sets max_nodes_out to auto
    When the run is rehearsed with seed 3
    Then the run ends Succeeded
    And wave 1 was limited by cluster quorum
    And the most nodes in maintenance at once was 2
    And every invariant holds

  Scenario: Updates are installed before the drain; the restart still needs it
    Given the profile sets policy to fast
    When the run is rehearsed with seed 3
    Then every node installed KB5031364
    And every node installed its updates before its drain
    And every node reports Succeeded after 1 attempt
    And every invariant holds

  Scenario: A hotpatch month drains no node
    Given the update KB5031364 needs no restart
    And the profile sets policy to fast
    When the run is rehearsed with seed 3
    Then the run ends Succeeded
    And every node installed KB5031364
    And event 1008 was not logged
    And every node was restarted 0 times
    And every invariant holds

  Scenario: Kernel soft reboot applies to the nodes of a wave where the cluster allows it
    Given the cluster's CauEnableSoftReboot property is 1
    And the profile sets policy to fast
    And the profile sets max_nodes_out to 2
    When the run is rehearsed with seed 3
    Then the run ends Succeeded
    And every node was restarted 1 time with a soft reboot
    And every invariant holds

  Scenario: The classic policy stays one node at a time and has no waves
    When the run is rehearsed with seed 3
    Then the run ends Succeeded
    And the most nodes in maintenance at once was 1
    And the report has no waves section

  Scenario: More than one node out is refused without the fast policy
    Given the profile sets max_nodes_out to 2
    When the scenario is loaded
    Then it is refused at $.profile.max_nodes_out with "needs policy: fast"

  Scenario: More nodes out than the cluster has is refused
    Given the profile sets policy to fast
    And the profile sets max_nodes_out to 7
    When the scenario is loaded
    Then it is refused at $.profile.max_nodes_out with "larger than the cluster's 6 node(s)"

  Scenario: With rack fault domains a wave is a whole rack
    Given the bundled scenario "fast-rack-s2d"
    When the run is rehearsed with seed 8
    Then the run ends Succeeded
    And the waves run were node1, node2; node3, node4; node5, node6; node7, node8
    And the plan showed the same waves
    And the most nodes in maintenance at once was 2
    And every invariant holds

  Scenario: A rack that names a node the cluster does not have is refused
    Given the bundled scenario "fast-rack-s2d"
    And the nodes are in racks rack1: node1, node2; rack2: node3, node4; rack3: node5, node6; rack4: node7, node9
    When the scenario is loaded
    Then it is refused at $.cluster.fault_domains.domains.rack4[1] with "unknown node 'node9'"
