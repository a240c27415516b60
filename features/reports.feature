@cli
Feature: Reports people look at and CI consumes
  A run's report JSON renders as one self-contained HTML page (timeline, nodes, events,
  invariants), as JUnit XML for a CI server and as a short Markdown summary. Each rendering
  shows what the JSON says and nothing else: `pycau report` gives the same files from a
  saved report, and text from the scenario never becomes markup.

  Scenario: A failed install shows in every rendering with its HRESULT
    Given the bundled scenario "four-node-rolling"
    And node2 fails to install with 0x80240022 on 3 attempts
    When the run is rehearsed with the scenario's own seed
    And the report is rendered as HTML, JUnit and Markdown
    Then the HTML timeline has a row for each node of the report
    And the HTML page shows 0x80240022 as "WU_E_ALL_UPDATES_FAILED: Operation failed for all the updates."
    And the JUnit file is valid against the Jenkins JUnit schema
    And the JUnit testcase "node2 updated" fails with "0x80240022"
    And the JUnit testcase "invariant quorum holds" passes
    And the Markdown summary starts with "### pycau run on hci01: **PartiallyFailed**"

  Scenario: A saved report renders to the same files
    Given the bundled scenario "two-node-cloud-witness"
    When the run is rehearsed with the scenario's own seed
    And the report is rendered as HTML, JUnit and Markdown
    And the report is saved and rendered again with pycau report
    Then both renderings are the same, byte for byte

  Scenario: A hostile scenario name is text in every rendering
    Given the bundled scenario "two-node-cloud-witness"
    And the scenario is named "<script>alert(1)</script>"
    When the run is rehearsed with the scenario's own seed
    And the report is rendered as HTML, JUnit and Markdown
    Then no rendering carries the markup "<script>alert(1)</script>"
    And the JUnit file is valid against the Jenkins JUnit schema

  Scenario: A file that is not a pycau report is refused
    When pycau report renders a file holding {"status": "Succeeded"} as HTML
    Then pycau report exits 2 with one sentence saying "not a pycau report"
    And no rendering was written
