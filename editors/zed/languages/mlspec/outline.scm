; The named blocks (`system`, `source`, `model`, `serving`, `stage`,
; `experiment`, `scenario`), the other blocks and the features.
((statement
  name: (head) @context
  .
  (identifier) @name
  .
  (block)) @item
  (#any-of? @context "system" "source" "model" "serving" "stage" "experiment" "scenario"))

((statement
  name: (head) @name
  .
  (block)) @item)

(assignment
  name: (_) @name) @item
