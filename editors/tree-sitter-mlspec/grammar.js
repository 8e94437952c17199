/**
 * @file Tree-sitter grammar for the .mlspec language (ML system-design specs)
 * @license Apache-2.0
 *
 * It mirrors compiler/syntax/src/mlspec.pest, the grammar the compiler uses:
 *
 * - A file is a list of statements; a block `{ ... }` is one argument that
 *   holds more statements. A statement is a head followed by arguments
 *   (`statement`), a head, `:` and arguments (`entry`: schema fields, `mix`
 *   shares), `NAME = EXPR` (`assignment`, in `features`) or `rule EXPR`
 *   (`rule_statement`). What a statement means is the checker's business, so
 *   an unknown statement parses here too.
 * - Statements end at a line break, `;` or `,`; blanks, `//` comments and
 *   `///` doc comments are extras. Inside `( )` and `[ ]` line breaks are
 *   allowed after the opening bracket, around `,`, after `name:` and before
 *   the closing bracket, exactly where pest's `nl` allows them.
 * - Expressions (after `=` and `rule`) have pest's precedence, lowest first:
 *   or, and, not, comparisons, + -, * /, unary -.
 *
 * It is a little more lenient than pest on lexical details the compiler
 * reports anyway: a unit running into more letters (`30days`) lexes as a
 * quantity and a name, and `- 5` is a negation.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const PREC = {
  or: 1,
  and: 2,
  not: 3,
  compare: 4,
  add: 5,
  mul: 6,
  neg: 7,
};

// `1`, `1_000`, `0.05`, `1e-3`, `2.5E+3`: `_` only between single digits.
const DIGITS = '[0-9](_?[0-9])*';
const NUMBER = `${DIGITS}(\\.${DIGITS})?([eE][+-]?${DIGITS})?`;
// Longer units first does not matter to a DFA, but keep pest's order.
const UNIT = '(KB|MB|GB|TB|us|ms|s|m|h|d|w|y|%|x|k|M|B)';

/**
 * The statements of a file or a block: separated (and optionally preceded
 * and followed) by line breaks, `;` or `,`.
 * @param {GrammarSymbols<string>} $
 */
function statements($) {
  return seq(
    repeat(seq(optional($._statement), $._separator)),
    optional($._statement),
  );
}

/**
 * `open item, item, ... close` with a trailing comma and line breaks where
 * pest's `nl` allows them.
 * @param {string} open
 * @param {RuleOrLiteral} item
 * @param {string} close
 * @param {GrammarSymbols<string>} $
 */
function bracketed(open, item, close, $) {
  return seq(
    open,
    optional($._newlines),
    optional(seq(
      item,
      optional($._newlines),
      repeat(seq(',', optional($._newlines), item, optional($._newlines))),
      optional(seq(',', optional($._newlines))),
    )),
    close,
  );
}

module.exports = grammar({
  name: 'mlspec',

  // Line breaks are not extras: they end statements.
  extras: $ => [/[ \t\uFEFF]/, $.comment, $.doc_comment],

  word: $ => $.identifier,

  supertypes: $ => [$._expression],

  rules: {
    source_file: $ => statements($),

    _separator: $ => choice($._newline, ';', ','),
    _newline: _ => /\r?\n|\r/,
    _newlines: $ => repeat1($._newline),

    // ------------------------------------------------------------ comments

    // `///` (exactly three slashes) is a doc comment; `//`, and `////` with
    // more slashes, an ordinary one. The two never match the same text.
    doc_comment: _ => token(seq('///', optional(/[^/\r\n][^\r\n]*/))),
    comment: _ => token(choice(
      seq('//', optional(/[^/\r\n][^\r\n]*/)),
      seq('////', /[^\r\n]*/),
    )),

    // ------------------------------------------------------------ statements

    _statement: $ => choice(
      $.rule_statement,
      $.assignment,
      $.entry,
      $.statement,
    ),

    // `NAME` or `NAME@K` (a ranking metric). A plain name is a `head` node,
    // so that queries tell a statement's name from its arguments.
    _head: $ => choice(alias($.identifier, $.head), $.metric_name),

    statement: $ => seq(
      field('name', $._head),
      repeat($._argument),
    ),

    // `name: value ...`: the `:` carries no meaning to the checker, but it
    // marks schema fields, `mix` shares and the like.
    entry: $ => seq(
      field('name', $._head),
      ':',
      repeat($._argument),
    ),

    assignment: $ => seq(
      field('name', $._head),
      '=',
      field('value', $._expression),
    ),

    rule_statement: $ => seq(
      'rule',
      field('condition', $._expression),
    ),

    block: $ => seq('{', statements($), '}'),

    // ------------------------------------------------------------ arguments

    _argument: $ => choice(
      $._value,
      $.comparison_operator,
      $.slash,
    ),

    _value: $ => choice(
      $._name,
      $.call,
      $.number,
      $.money,
      $.range,
      $.string,
      $.list,
      $.block,
      $.boolean,
    ),

    _name: $ => choice($.identifier, $.path, $.metric_name),

    comparison_operator: _ => choice('<=', '>=', '==', '!=', '<', '>'),
    slash: _ => '/',

    // `4..20`, `0..50000`, `-5..5.5`, `$1..$5`.
    range: $ => seq(
      field('start', choice($.number, $.money)),
      '..',
      field('end', choice($.number, $.money)),
    ),

    call: $ => seq(
      field('function', $._name),
      field('arguments', $.argument_list),
    ),

    argument_list: $ => bracketed('(', choice($.named_argument, $._value), ')', $),

    named_argument: $ => seq(
      field('name', $.identifier),
      ':',
      optional($._newlines),
      field('value', $._value),
    ),

    list: $ => bracketed('[', $._value, ']', $),

    // ------------------------------------------------------------ expressions

    _expression: $ => choice(
      $.binary_expression,
      $.unary_expression,
      $._primary,
    ),

    _primary: $ => choice(
      $.boolean,
      $._name,
      alias($.expression_call, $.call),
      $.number,
      $.money,
      $.string,
      $.parenthesized_expression,
      alias($.expression_list, $.list),
    ),

    binary_expression: $ => {
      /** @type {[RuleOrLiteral, number][]} */
      const table = [
        ['or', PREC.or],
        ['and', PREC.and],
        [choice('<', '<=', '>', '>=', '==', '!='), PREC.compare],
        [choice('+', '-'), PREC.add],
        [choice('*', '/'), PREC.mul],
      ];
      return choice(...table.map(([operator, precedence]) => prec.left(precedence, seq(
        field('left', $._expression),
        field('operator', operator),
        field('right', $._expression),
      ))));
    },

    unary_expression: $ => choice(
      prec(PREC.not, seq(field('operator', 'not'), field('operand', $._expression))),
      prec(PREC.neg, seq(field('operator', '-'), field('operand', $._expression))),
    ),

    parenthesized_expression: $ => seq(
      '(',
      optional($._newlines),
      $._expression,
      optional($._newlines),
      ')',
    ),

    expression_call: $ => seq(
      field('function', $._name),
      field('arguments', alias($.expression_argument_list, $.argument_list)),
    ),

    expression_argument_list: $ => bracketed(
      '(',
      choice(alias($.expression_named_argument, $.named_argument), $._expression),
      ')',
      $,
    ),

    expression_named_argument: $ => seq(
      field('name', $.identifier),
      ':',
      optional($._newlines),
      field('value', $._expression),
    ),

    expression_list: $ => bracketed('[', $._expression, ']', $),

    // ------------------------------------------------------------ literals

    identifier: _ => /[A-Za-z][A-Za-z0-9_]*/,

    // `transactions.amount`: no blanks around the dots.
    path: $ => seq(
      $.identifier,
      repeat1(seq(token.immediate('.'), alias($._immediate_identifier, $.identifier))),
    ),
    _immediate_identifier: _ => token.immediate(/[A-Za-z][A-Za-z0-9_]*/),

    // `ndcg@10`, `hit_rate@5`.
    metric_name: _ => token(/[A-Za-z][A-Za-z0-9_]*@[0-9]+/),

    boolean: _ => choice('true', 'false'),

    // A number with an optional sign and unit: `42`, `-1`, `+30%`, `0.2%`,
    // `3x`, `86M`, `30d`, `8GB`, `1e-3`. `m` is minutes, `M` millions.
    number: _ => token(new RegExp(`[+-]?${NUMBER}${UNIT}?`)),

    // `$25k`, `$0.20`: no sign; an optional count suffix.
    money: _ => token(new RegExp(`\\$${NUMBER}[kMB]?`)),

    // A JSON string on one line; escapes are validated by the compiler.
    string: $ => seq(
      '"',
      repeat(choice($._string_content, $.escape_sequence)),
      token.immediate('"'),
    ),
    _string_content: _ => token.immediate(prec(1, /[^"\\\r\n]+/)),
    escape_sequence: _ => token.immediate(/\\(u[0-9A-Fa-f]{4}|[^\r\n])/),
  },
});
