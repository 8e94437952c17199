(block "}" @end) @indent
(argument_list ")" @end) @indent
(list "]" @end) @indent
