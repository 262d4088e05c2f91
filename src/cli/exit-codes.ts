/** Exit codes are part of the CLI contract; README "Exit codes" documents them. */
export const EXIT = {
  OK: 0,
  /** `check`: a rule was violated. */
  RULE_VIOLATED: 1,
  /** Usage error, an input that could not be opened at all, or an output that cannot be written. */
  USAGE: 2,
  /** The report was produced, but some input broke off part way (truncated gzip, file vanished). */
  PARTIAL_INPUT: 3,
} as const;
