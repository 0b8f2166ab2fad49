package org.foobarstack.testkit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link TestStack} field that {@link FoobarStackExtension} fills with a running stack:
 *
 * <pre>
 * &#64;FoobarStackUnderTest("simple")
 * static TestStack stack;          // one stack for the whole class
 *
 * &#64;FoobarStackUnderTest("distributed")
 * TestStack fresh;                 // a new stack for every test
 * </pre>
 *
 * A static field's stack starts before the class's first test and stops after its last; an instance field's
 * starts before each test and stops after it. The annotation registers the extension itself.
 */
@Documented
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(FoobarStackExtension.class)
public @interface FoobarStackUnderTest {

    /** A shipped design ({@code simple}, {@code distributed}, {@code secured}, {@code scaled}) or a topology file's path. */
    String value() default "simple";
}
