@cli
Feature: Rehearsing a maintenance window with seeded variability
  A scenario may give distributions instead of numbers for install, boot, scan, live
  migration, repair and write rates; the run's seed draws them, each from its own stream.
  `pycau rehearse` makes many seeded runs and says how long the run takes (P50/P95/P99),
  how likely it fits the window, how long each node is out of service, how the runs end
  and, with faults at a rate, which fault types end runs badly.

  Scenario: The same seed gives the same run, another seed another duration
    Given the bundled scenario "eight-node-three-way-mirror-variable"
    When the run is rehearsed twice with seed 3
    Then both reports are identical apart from the wall-clock measurements
    And the run of seed 4 takes another time than the run of seed 3

  Scenario: Every drawn value stays within its distribution
    Given the bundled scenario "eight-node-three-way-mirror-variable"
    When the run is rehearsed with seed 12
    Then every node's boot time was drawn from 5 to 15 minutes and its restart took at least that
    And the run took no less than the simulated lower bound

  Scenario: A forecast says how likely the run fits the window
    When 8 runs of "eight-node-three-way-mirror-variable" are rehearsed with the window "6h"
    Then the forecast exits 0
    And P50, P95 and P99 of the run duration are in order
    And the window probability is the share of the runs that ended within 21600 seconds
    And each of the 8 nodes has its P50 and P95 time out of service
    And the outcome shares add up to every run

  Scenario: Faults at a rate name the fault types behind runs that did not succeed
    When 6 runs of "four-node-rolling" are rehearsed with faults at 3 per run
    Then every fault type that fired is listed with the runs it did not let succeed
    And every run that did not succeed cleanly has a replay command ending in "--faults 3"

  Scenario Outline: Bad forecast input is exit 2 in one sentence
    When "four-node-rolling" is rehearsed with "<options>"
    Then the forecast exits 2 saying "<said>"

    Examples:
      | options                  | said                                          |
      | --runs 0                 | Invalid value for '--runs'                    |
      | --runs 2 --window 6      | '6' is not a window                           |
      | --runs 2 --window 1h30   | '1h30' is not a window                        |
      | --runs 2 --faults -0.5   | Invalid value for '--faults'                  |

  Scenario: A distribution with its p95 below its median is bad input
    Given the scenario:
      """
      name: p95-below-median
      cluster:
        name: c1
        nodes: {count: 2}
      updates:
        - {id: KB1, install_minutes: {median: 15, p95: 10}}
      """
    When the scenario file is rehearsed with "--runs 2"
    Then the forecast exits 2 saying "at $.updates[0].install_minutes.p95: p95 10 is below the median 15"
