; nvim-treesitter indent captures.
[
  (block)
  (argument_list)
  (list)
  (parenthesized_expression)
] @indent.begin

[
  "}"
  ")"
  "]"
] @indent.branch @indent.end

[
  (comment)
  (doc_comment)
] @indent.auto
