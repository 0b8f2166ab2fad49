package org.foobarstack.trace.faults;

/** How many times a {@link Fault} fires before its {@link FaultPlan} forgets it. */
public enum Repeat {

    ONCE("fires the first time its trigger is reached, then leaves the plan"),
    EVERY_TIME("fires every time its trigger is reached, until the plan is cleared");

    private final String description;

    Repeat(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
