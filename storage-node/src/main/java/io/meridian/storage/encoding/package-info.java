/**
 * Byte-level building blocks: bounds-checked readers and growable writers with varints, and the column
 * codecs used inside blocks ({@link io.meridian.storage.encoding.LongColumnCodec},
 * {@link io.meridian.storage.encoding.FloatColumnCodec}).
 */
package io.meridian.storage.encoding;
