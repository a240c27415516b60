Feature: Stopping a run from another machine (pycau stop, CAU's Stop-CauRun)
  An operator asks the run in progress to stop; the coordinator sees the request at its
  next lock renewal and stops at a safe point: the node in flight finishes its update, no
  other node is started, and the run ends Canceled. These scenarios use the steps of
  pycau's pytest plugin, as a user's own features do.

  Scenario: a stop while node2 is being updated lets node2 finish and cancels the rest
    Given the scenario "stop-request"
    When the updating run is rehearsed
    Then the run status is "Canceled"
    And node "node1" is "Succeeded"
    And node "node2" is "Succeeded"
    And node "node3" is "Canceled"
    And node "node4" is "Canceled"
    And every invariant holds
    And the run takes at most 100 minutes
