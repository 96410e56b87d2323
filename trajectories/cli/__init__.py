"""The command line: verbs, their options, the text of describe."""
