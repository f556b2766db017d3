/**
 * js-yaml's event type ids (EVENT_ID) and scalar styles (SCALAR_STYLE), repeated here so that
 * the modules reading event streams need js-yaml only as types (it is loaded on first use).
 * test/load/positions.test.ts checks them against js-yaml's own.
 */
export const DOCUMENT = 1;
export const SEQUENCE = 2;
export const MAPPING = 3;
export const SCALAR = 4;
export const ALIAS = 5;
export const POP = 6;

export const PLAIN_STYLE = 1;
export const SINGLE_QUOTED_STYLE = 2;
export const DOUBLE_QUOTED_STYLE = 3;

/** What an event holds for a range it does not have (no anchor, no tag, an empty scalar). */
export const NO_RANGE = -1;
