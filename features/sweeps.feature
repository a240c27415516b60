@cli
Feature: Sweep results you can act on, on any backend
  A sweep rehearses many seeds of one scenario, each with random (swarm) faults. Its report
  lists every seed; a seed that did not end as a clean Succeeded run comes with the exact
  command that replays it. Where the seeds run — local processes or Dask — changes nothing
  but how long it takes; a Dask scheduler that cannot be used is named, exit 3.

  Scenario: Every seed to look at comes with a command that replays it
    When seeds 40 to 45 of "four-node-rolling" are swept in one process
    Then the sweep report lists seeds 40 to 45 with their status, duration and faults
    And every seed that is not a clean Succeeded run has a replay command
    And each replay command gives its seed's status, duration and fired faults again

  Scenario: Many local processes for a few seeds are capped
    When seeds 0 to 1 of "four-node-rolling" are swept with 500 local processes
    Then the sweep ran on at most 2 processes

  Scenario: An unreachable Dask scheduler is named and nothing is written
    When seeds 0 to 1 of "four-node-rolling" are swept on the Dask scheduler "tcp://127.0.0.1:9" waiting 0.5 s
    Then the sweep exits 3 naming "tcp://127.0.0.1:9"
    And no sweep report was written

  Scenario Outline: A --dask value that is neither form is bad input
    When seeds 0 to 1 of "four-node-rolling" are swept with --dask "<value>"
    Then the sweep exits 2 naming "<value>"
    And no sweep report was written

    Examples:
      | value          |
      | local:0        |
      | garbage        |
      | tls://h:8786   |
