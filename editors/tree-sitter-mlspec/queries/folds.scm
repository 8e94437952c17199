[
  (block)
  (argument_list)
  (list)
] @fold
