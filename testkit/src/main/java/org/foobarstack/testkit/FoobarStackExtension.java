package org.foobarstack.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a {@link TestStack} for every field marked {@link FoobarStackUnderTest} and stops it again.
 *
 * <p>Lifecycle:
 * <ol>
 *   <li>before all tests of a class: each marked static field of the class (and of its superclasses) gets a
 *       started stack;</li>
 *   <li>before each test: each marked instance field of the test instance gets a started stack;</li>
 *   <li>after each test: the instance fields' stacks stop, and the fields are cleared;</li>
 *   <li>after all tests: the static fields' stacks stop.</li>
 * </ol>
 * Steps 3 and 4 run even when a start failed half-way, so a stack that did start is always stopped. The stacks
 * started in a step are kept in that step's {@link ExtensionContext.Store}, so tests running in parallel each stop
 * their own.
 */
public final class FoobarStackExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            FoobarStackExtension.class);
    private static final String STARTED = "started stacks";

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        startInto(context, null, context.getRequiredTestClass());
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            startInto(context, instance, instance.getClass());
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        stopStarted(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stopStarted(context);
    }

    /** Fills the marked fields of {@code type}: the static ones when {@code instance} is null, else the others. */
    private static void startInto(ExtensionContext context, Object instance, Class<?> type) throws Exception {
        for (Field field : markedFields(type)) {
            boolean isStatic = Modifier.isStatic(field.getModifiers());
            if (isStatic != (instance == null)) {
                continue;
            }
            if (field.getType() != TestStack.class) {
                throw new ExtensionConfigurationException("@FoobarStackUnderTest marks " + field
                        + ", which is not a TestStack");
            }
            if (Modifier.isFinal(field.getModifiers())) {
                throw new ExtensionConfigurationException("@FoobarStackUnderTest field " + field + " must not be final");
            }
            TestStack stack = TestStack.start(field.getAnnotation(FoobarStackUnderTest.class).value());
            started(context).add(new Started(field, instance, stack));
            field.setAccessible(true);
            field.set(instance, stack);
        }
    }

    /** Stops what this context started, last first; every stack is stopped even if one fails to. */
    private static void stopStarted(ExtensionContext context) throws Exception {
        List<Started> started = started(context);
        Exception failure = null;
        for (int i = started.size() - 1; i >= 0; i--) {
            Started one = started.get(i);
            try {
                one.stack().close();
                one.field().set(one.instance(), null);
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        started.clear();
        if (failure != null) {
            throw failure;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Started> started(ExtensionContext context) {
        // getStore of this very context: a test's stacks are not its class's, nor a parallel test's
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(STARTED + " " + context.getUniqueId(),
                key -> new ArrayList<Started>(), List.class);
    }

    private static List<Field> markedFields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.isAnnotationPresent(FoobarStackUnderTest.class)) {
                    fields.add(field);
                }
            }
        }
        return fields;
    }

    /** One stack this extension started, and the field it put it in. */
    private record Started(Field field, Object instance, TestStack stack) {
    }
}
