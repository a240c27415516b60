@rolling
Feature: Feature updates with the RollingUpgrade plug-in (the guide's "Install feature updates")
  A profile with plugin rolling-upgrade makes a feature-update run: the RollingUpgrade scan
  offers the feature update (a Windows Update scan never does), Test-Cluster runs first, every
  node must be offered the same feature update and have its preview channel in effect, the
  nodes take it one at a time with every rolling-run guarantee, and a follow-up quality pass
  installs what Windows Update offers afterwards. Until the last node is done the cluster runs
  in mixed mode: live migration works from the old version to the new one, never back, and
  the run never asks for the impossible direction.

  Background:
    Given the bundled scenario "feature-update-21h2"

  Scenario: A 20H2 cluster takes the 21H2 feature update, then the further updates
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And Test-Cluster passed before any node was touched
    And every node went from 20H2 to 21H2 with the feature update FU-21H2 of the rolling-upgrade plug-in
    And the follow-up pass installed KB5012604 with the windows-update plug-in on every node
    And the follow-up pass began after the feature update was on every node
    And no two nodes were out of service at once
    And every invariant holds
    And the invariant "mixed-mode-migration" holds

  Scenario: The follow-up pass can be left out
    Given the profile sets follow_up_quality_pass to false
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And the follow-up pass did not run because "follow_up_quality_pass is false"
    And every invariant holds

  Scenario: A quality run never installs the feature update
    Given the profile sets plugin to windows-update
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And no node installed FU-21H2
    And every node was restarted 0 times

  Scenario: A node still waiting for its preview channel's restart: refused up front
    Given node3 still needs the restart Set-PreviewChannel asked for
    When the run is rehearsed with the scenario's own seed
    Then the run ends Failed with PreviewChannelRestartPending
    And no node was touched
    And the run error names node3, Set-PreviewChannel, restart

  Scenario: A node not offered the feature update: refused up front
    Given the feature update FU-21H2 is offered only to node1, node2, node4
    When the run is rehearsed with the scenario's own seed
    Then the run ends Failed with MixedFeatureUpdateOffers
    And no node was touched
    And the run error names node3, none, KB5003237

  Scenario: A failing cluster validation refuses the feature update
    Given the witness is offline from minute 0 for 60 minutes
    When the run is rehearsed with the scenario's own seed
    Then the run ends Failed with ClusterValidationFailed
    And no node was touched

  Scenario: A node whose feature update fails stays behind and gets no failback
    Given the bundled scenario "feature-update-node-fails"
    When the run is rehearsed with the scenario's own seed
    Then the run ends PartiallyFailed
    And node2 reports Failed
    And node2 still runs 20H2 while node1, node3, node4 run 21H2
    And node2 was resumed without failback because of mixed mode
    And the follow-up pass did not run because "the feature update did not succeed on every node"
    And the invariant "mixed-mode-migration" holds
    And the invariant "report-truth" holds

  Scenario: A node already upgraded is left alone until every node runs the new version
    Given the bundled scenario "feature-update-partly-upgraded"
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And node3 was not drained before the follow-up pass
    And every invariant holds

  Scenario: Storage Replica: the second restart after the feature update, on this path too
    Given the bundled scenario "known-issue-storage-replica-second-restart"
    When the run is rehearsed with the scenario's own seed
    Then the run ends Succeeded
    And every node went from 20H2 to 21H2 with the feature update FU-21H2 of the rolling-upgrade plug-in
    And every node was restarted 2 times with a full reboot
    And every invariant holds
