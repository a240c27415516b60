@failures
Feature: Crash-safe journal and resume
  The coordinator journals the run after every step. When it dies, a fresh coordinator
  resumes the run from the journal and a fresh look at the cluster: no node is installed or
  restarted twice, none is left Paused.

  Scenario: The coordinator crashes after step 12 and the resumed run ends Succeeded
    Given the bundled scenario "four-node-rolling"
    And the coordinator crashes after journal step 12
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And the run notes the coordinator crash and the resume
    And no node was restarted twice
    And every invariant holds
