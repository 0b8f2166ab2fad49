/**
 * Field-tree builders: each turns one protocol message into the {@link org.foobarstack.trace.Field}
 * tree a learner reads, with byte offsets into the message as it crossed the wire.
 *
 * <p>Convention, for the builders here ({@link org.foobarstack.trace.fields.DnsFields},
 * {@link org.foobarstack.trace.fields.HttpHeadFields}) and those a tier adds for its own protocol (FastCGI
 * records, SQL statements): a final class named {@code <Protocol>Fields} with static methods that take
 * the message's bytes (or its decoded value plus its bytes) and return {@code List<Field>}, offsets
 * counted from the first byte of that message. A tier that decodes a message inside a larger buffer
 * moves the tree with {@link org.foobarstack.trace.Field#shifted(int)}. Builders never throw on
 * malformed input they were handed: they describe what they could read and add a field named
 * {@code "Malformed"} saying where and why they stopped, because a broken message is exactly what a
 * learner wants to look at.
 */
package org.foobarstack.trace.fields;
