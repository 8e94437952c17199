; Helix indent captures.
[
  (block)
  (argument_list)
  (list)
  (parenthesized_expression)
] @indent

[
  "}"
  ")"
  "]"
] @outdent
