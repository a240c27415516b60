Feature: Self-updating agents (pycau agent, CAU's self-updating mode)
  Agents on several management machines watch one cluster and run its updating runs on the
  profile's schedule. Exactly one runs each firing, through the cluster's run lock; the
  others watch the holder's lease and take its run over when its coordinator is gone. These
  scenarios drive the agents' policy with an injected clock against an in-memory cluster
  (run lock and registry of agents); the schedule fires every Tuesday at 03:00 UTC.

  Scenario: two agents at one firing: exactly one runs it, the other watches the holder
    Given two agents watch the cluster at the firing
    When both agents handle the firing
    Then exactly one agent ran the firing
    And the other agent named the holder and watched its lease

  Scenario: the running agent dies: another takes its run over once the lease expires
    Given an agent holds the firing's run lock and dies after 5 minutes
    When a second agent handles the firing
    Then the second agent took the run over
    And it took the run over only after 15 minutes of heartbeat silence

  Scenario: a firing more than an hour old is missed, not run
    Given an agent starts 2 hours after the firing
    When the agent runs once
    Then no run was started
    And the agent said the firing was missed

  Scenario: between firings an agent run once exits 0 naming the next firing
    Given an agent starts 1 hour before the firing
    When the agent runs once
    Then no run was started
    And the agent said the next firing is "2026-01-13T03:00:00+00:00"

  Scenario: a profile without a schedule is refused before connecting
    Given a profile without a schedule
    When pycau agent is started with it
    Then it exits 2 with one error sentence naming "$.schedule"
