/**
 * js-yaml's event type ids (EVENT_ID), scalar and collection styles and chomping modes, repeated
 * here so that the modules reading event streams need js-yaml only as types (it is loaded on
 * first use).
 * test/load/construct.test.ts checks them against js-yaml's own.
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
export const LITERAL_STYLE = 4;
export const FOLDED_STYLE = 5;

export const BLOCK_COLLECTION = 1;
export const FLOW_COLLECTION = 2;

export const CLIP_CHOMPING = 1;
export const STRIP_CHOMPING = 2;
export const KEEP_CHOMPING = 3;

/** What an event holds for a range it does not have (no anchor, no tag, an empty scalar). */
export const NO_RANGE = -1;
