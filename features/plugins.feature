@profile
Feature: CAU's plug-ins: Windows Update's selection, the Hotfix plug-in, several plug-ins in one run
  The profile chooses CAU's plug-ins (plugin, plugin_arguments in CAU's names, snake_case).
  The Windows Update plug-in installs important updates unless include_recommended_updates,
  and only what a query_string finds when one is given. The Hotfix plug-in installs files
  from a share under CAU's rules: the configuration's exit conditions decide success and
  restarts (an unlisted exit code is a failure without a restart), installers are bounded
  by hotfix_installer_timeout_minutes, and the share must be signed or encrypted and
  locked down unless its checks are disabled. Several plug-ins install one after another
  on each node, in plug-in order, with one restart after all of them unless
  separate_reboots.

  Background:
    Given the scenario:
      """
      name: bdd-plugins
      seed: 17
      cluster:
        name: hci31
        witness: cloud
        nodes: {count: 3, memory_gb: 384, boot_minutes: 8}
        storage:
          repair_mb_s: 400
          volumes:
            - {name: vol01, resiliency: two-way-mirror, size_gb: 2048, write_mb_s: 20}
        workloads:
          vms: {count: 9, memory_gb: 16}
      hotfix_share: {path: '\\fs01\Hotfixes\Root'}
      updates:
        - {id: KB5031364, title: 2023-10 Cumulative Update, install_minutes: 20, restart: true}
      """
    And the profile sets node_order to [node1, node2, node3]

  Scenario: Windows Update installs important updates only, unless recommended ones are asked for
    Given the scenario also offers the recommended update KB5031999
    When the run is rehearsed with seed 17
    Then the run ends Succeeded
    And every node installed KB5031364
    And no node installed KB5031999
    And every invariant holds

  Scenario: include_recommended_updates installs the recommended update too
    Given the scenario also offers the recommended update KB5031999
    And the Windows Update plug-in argument include_recommended_updates is true
    When the run is rehearsed with seed 17
    Then the run ends Succeeded
    And every node installed KB5031999
    And every invariant holds

  Scenario: A query_string replaces the default search
    Given the scenario also offers the update KB5031005
    And the Windows Update plug-in argument query_string is "UpdateID='KB5031005' and IsInstalled=0"
    When the run is rehearsed with seed 17
    Then the run ends Succeeded
    And every node installed KB5031005
    And no node installed KB5031364
    And every invariant holds

  Scenario: A hotfix that exits 3010 is installed by the hotfix plug-in and restarts its node
    Given the run uses the hotfix plug-in
    And the share offers the hotfix KB5034567 with exit code 3010
    When the run is rehearsed with seed 17
    Then the run ends Succeeded
    And every node installed KB5034567 through the hotfix plug-in
    And every node was restarted 1 time with a full reboot
    And every invariant holds

  Scenario: An exit code the configuration does not list fails the hotfix without a restart
    Given the run uses the hotfix plug-in
    And the share offers the hotfix KB5036100 with exit code 1603 to node2 only
    And the profile sets max_retries_per_node to 2
    When the run is rehearsed with seed 17
    Then node2 reports Failed after 2 attempts
    And node2 was restarted 0 times
    And node1 reports Succeeded
    And the run ends PartiallyFailed
    And every invariant holds

  Scenario: A hotfix that is already installed counts as installed and needs no restart
    Given the run uses the hotfix plug-in
    And the share offers the hotfix KB5035000 with exit code 0x00240006
    When the run is rehearsed with seed 17
    Then the run ends Succeeded
    And every node installed KB5035000 through the hotfix plug-in
    And every node was restarted 0 times
    And every invariant holds

  Scenario: An installer that outlives hotfix_installer_timeout_minutes fails at the timeout
    Given the run uses the hotfix plug-in
    And the share offers the hotfix KB5036200 with exit code 0 to node3 only
    And the hotfix KB5036200's installer runs 50 minutes
    And the hotfix plug-in argument hotfix_installer_timeout_minutes is 20
    And the profile sets max_retries_per_node to 1
    When the run is rehearsed with seed 17
    Then node3 reports Failed after 1 attempt
    And node3's hotfix KB5036200 failed with 0x800705B4
    And the run ends PartiallyFailed

  Scenario: require_smb_encryption on a share without SMB encryption fails every scan; no node is drained
    Given the run uses the hotfix plug-in
    And the share offers the hotfix KB5034567 with exit code 0
    And the hotfix plug-in argument require_smb_encryption is true
    When the run is rehearsed with seed 17
    Then the run does not end Succeeded
    And no node was drained
    And node1's error says "is not SMB-encrypted"

  Scenario: A share Users may write to is refused unless disable_acl_checks
    Given the run uses the hotfix plug-in
    And the share offers the hotfix KB5034567 with exit code 0
    And the hotfix share lets Users write
    When the run is rehearsed with seed 17
    Then no node was drained
    And node1's error says "Users may write"

  Scenario: disable_acl_checks lets the run use a share whose permissions CAU would refuse
    Given the run uses the hotfix plug-in
    And the share offers the hotfix KB5034567 with exit code 0
    And the hotfix share lets Users write
    And the hotfix plug-in argument disable_acl_checks is true
    When the run is rehearsed with seed 17
    Then the run ends Succeeded
    And every node installed KB5034567 through the hotfix plug-in

  Scenario: Two plug-ins install one after the other and restart once
    Given the run uses the plug-ins windows-update, hotfix
    And the share offers the hotfix KB5034567 with exit code 3010
    When the run is rehearsed with seed 17
    Then the run ends Succeeded
    And every node installed KB5031364 through the windows-update plug-in
    And every node installed KB5034567 through the hotfix plug-in
    And every node installed KB5031364 before KB5034567
    And every node was restarted 1 time with a full reboot
    And every invariant holds

  Scenario: separate_reboots restarts after each plug-in's installs
    Given the run uses the plug-ins windows-update, hotfix
    And the share offers the hotfix KB5034567 with exit code 3010
    And the profile sets separate_reboots to true
    When the run is rehearsed with seed 17
    Then the run ends Succeeded
    And every node was restarted 2 times with a full reboot
    And every invariant holds

  Scenario: stop_on_plugin_failure keeps the hotfix plug-in from running after Windows Update failed
    Given the run uses the plug-ins windows-update, hotfix
    And the share offers the hotfix KB5034567 with exit code 3010
    And the profile sets stop_on_plugin_failure to true
    And node2 fails to install with 0x80240022 on 1 attempt
    When the run is rehearsed with seed 17
    Then node2 reports Succeeded after 2 attempts
    And a warning for node2 says "stop_on_plugin_failure"
    And every invariant holds

  Scenario: run_plugins_serially scans with one plug-in after the other
    Given the run uses the plug-ins windows-update, hotfix
    And the share offers the hotfix KB5034567 with exit code 3010
    And the profile sets run_plugins_serially to true
    When the run is rehearsed with seed 17
    Then the run ends Succeeded
    And the scan before the run took at least 2 simulated minutes

  Scenario: The plug-ins scan together by default
    Given the run uses the plug-ins windows-update, hotfix
    And the share offers the hotfix KB5034567 with exit code 3010
    When the run is rehearsed with seed 17
    Then the scan before the run took less than 2 simulated minutes

  Scenario: Multi-plug-in options with one plug-in get CAU's warning and change nothing
    Given the profile sets separate_reboots to true
    When the run is rehearsed with seed 17
    Then the run ends Succeeded
    And a warning says "separate_reboots has no effect with one plug-in (windows-update)"
    And every node was restarted 1 time with a full reboot
