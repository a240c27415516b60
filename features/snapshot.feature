@cli
Feature: A snapshot of your own cluster is a scenario you can rehearse
  `pycau snapshot --cluster HOST -o FILE` reads a cluster over WinRM — nodes, memory, OS
  builds, restart times from the nodes' System logs, VMs with their memory, owner and
  possible owners, volumes with resiliency, size and CSV write rate, the witness, and the
  updates each node is offered now with install times from the nodes' update history — and
  writes it as a scenario, each figure it could not read listed as a `# not read:` comment.
  These scenarios take the snapshot of the twin serving a scenario, with the real CLI.

  Scenario: The snapshot of a two-node S2D cluster with a cloud witness reproduces it
    Given the bundled scenario "two-node-cloud-witness"
    When pycau takes a snapshot of it through the twin over WinRM
    Then the snapshot has the original's nodes, memory, OS builds and restart times
    And the snapshot has the original's VMs with their memory, owners and mobility
    And the snapshot has the original's volumes with their resiliency, size and write rate
    And the snapshot has the original's witness
    And the snapshot offers the updates the original offers now, with their install times
    And the snapshot file lists repair_mb_s as not read

  @slow
  Scenario: The snapshot of a SAN cluster rehearses to the same outcome
    Given the bundled scenario "fault-boot-hang"
    When pycau takes a snapshot of it through the twin over WinRM
    And the run is rehearsed with seed 22
    Then the snapshot has the original's nodes, memory, OS builds and restart times
    And the snapshot has the original's volumes with their resiliency, size and write rate
    And the snapshot has the original's witness
    And the run ends Succeeded
    And every node reports Succeeded
    And every invariant holds

  @slow
  Scenario: An update a later scan finds is not in the snapshot, and the file says so
    Given the bundled scenario "four-node-rolling"
    When pycau takes a snapshot of it through the twin over WinRM
    And the run is rehearsed with seed 7
    Then the snapshot offers the updates the original offers now, with their install times
    And the snapshot file lists updates that become applicable only after another as not read
    And the run ends Succeeded
    And every node installed KB5031364
    And no node installed KB5031005

  Scenario: A VM that may run on one node only is found, and its node's drain fails
    Given the scenario:
      """
      name: bdd-snapshot-pinned-vm
      cluster:
        name: hv-pinned
        witness: file-share
        nodes: {count: 3, memory_gb: 256, boot_minutes: 7}
        workloads:
          vms:
            - {name: db01, owner: node2, memory_gb: 64, movable: false}
            - {name: app01, owner: node1, memory_gb: 16}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 12}
      """
    When pycau takes a snapshot of it through the twin over WinRM
    And the run is rehearsed with seed 1
    Then the snapshot has the original's VMs with their memory, owners and mobility
    And the run ends PartiallyFailed
    And node2 reports Failed
    And node1 reports Succeeded
    And node3 reports Succeeded
