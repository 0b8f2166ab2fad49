package org.foobarstack.monitoring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@link AlertRule}s to each {@link MonitoringSnapshot} and moves every alert through its
 * {@link AlertState}s. This is the part of Prometheus that evaluates alerting rules every
 * {@code evaluation_interval}; what Alertmanager then does (grouping, silencing, sending mail) is left to the
 * listeners: {@link #onAlert} hears every transition, once.
 *
 * <p>For each rule and each subject at every evaluation:
 * <ul>
 *   <li>condition true, alert inactive or resolved: pending (firing at once if the rule's {@code for} is zero);</li>
 *   <li>condition true, pending for at least {@code for}: firing;</li>
 *   <li>condition false, pending: inactive again, and forgotten;</li>
 *   <li>condition false, firing: resolved. A resolved alert stays listed, so that /api/alerts shows what
 *       happened, until its condition comes back.</li>
 * </ul>
 * Each transition is logged once: a firing alert at WARN, the others at INFO.
 */
public final class AlertEvaluator {

    private static final Logger log = LoggerFactory.getLogger(AlertEvaluator.class);

    private final List<AlertRule> rules;
    /** Per rule name, subject to its alert (pending, firing or resolved), in the order they appeared. */
    private final Map<String, Map<String, Alert>> alerts = new LinkedHashMap<>();
    private final List<Consumer<AlertEvent>> listeners = new CopyOnWriteArrayList<>();

    public AlertEvaluator(List<AlertRule> rules) {
        this.rules = List.copyOf(rules);
        for (AlertRule rule : this.rules) {
            if (alerts.put(rule.name(), new LinkedHashMap<>()) != null) {
                throw new IllegalArgumentException("two rules are named " + rule.name());
            }
        }
    }

    public List<AlertRule> rules() {
        return rules;
    }

    /** Calls {@code listener} with every transition from now on, on the evaluating thread. */
    public void onAlert(Consumer<AlertEvent> listener) {
        listeners.add(listener);
    }

    /** One evaluation of every rule; returns the transitions it made (also logged and sent to the listeners). */
    public List<AlertEvent> evaluate(MonitoringSnapshot snapshot) {
        List<AlertEvent> events = new ArrayList<>();
        synchronized (this) {
            for (AlertRule rule : rules) {
                evaluate(rule, snapshot, events);
            }
        }
        for (AlertEvent event : events) {
            if (event.to() == AlertState.FIRING) {
                log.warn(event.logLine());
            } else {
                log.info(event.logLine());
            }
            for (Consumer<AlertEvent> listener : listeners) {
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    log.error("an alert listener failed on {}", event.logLine(), e);
                }
            }
        }
        return events;
    }

    private void evaluate(AlertRule rule, MonitoringSnapshot snapshot, List<AlertEvent> events) {
        Map<String, Alert> ofRule = alerts.get(rule.name());
        Map<String, String> breaches = rule.breaches(snapshot);
        for (Map.Entry<String, String> breach : breaches.entrySet()) {
            String subject = breach.getKey();
            String why = breach.getValue();
            Alert alert = ofRule.get(subject);
            if (alert == null || alert.state() == AlertState.RESOLVED) {
                AlertState from = alert == null ? AlertState.INACTIVE : AlertState.RESOLVED;
                AlertState to = rule.forDuration().isZero() ? AlertState.FIRING : AlertState.PENDING;
                ofRule.put(subject, new Alert(rule.name(), subject, to, snapshot.at(), snapshot.at(), why));
                events.add(new AlertEvent(rule.name(), subject, from, to, snapshot.at(), why));
            } else if (alert.state() == AlertState.PENDING
                    && Duration.between(alert.activeSince(), snapshot.at()).compareTo(rule.forDuration()) >= 0) {
                ofRule.put(subject, new Alert(rule.name(), subject, AlertState.FIRING, snapshot.at(),
                        alert.activeSince(), why));
                events.add(new AlertEvent(rule.name(), subject, AlertState.PENDING, AlertState.FIRING, snapshot.at(),
                        why));
            } else {
                // still pending or still firing: only the reason's numbers change, which is no transition
                ofRule.put(subject, new Alert(rule.name(), subject, alert.state(), alert.since(),
                        alert.activeSince(), why));
            }
        }
        for (Iterator<Map.Entry<String, Alert>> it = ofRule.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Alert> entry = it.next();
            Alert alert = entry.getValue();
            if (breaches.containsKey(alert.subject())) {
                continue;
            }
            if (alert.state() == AlertState.PENDING) {
                it.remove();
                events.add(new AlertEvent(rule.name(), alert.subject(), AlertState.PENDING, AlertState.INACTIVE,
                        snapshot.at(), "cleared within " + AlertRule.seconds(rule.forDuration()) + "; was: "
                        + alert.description()));
            } else if (alert.state() == AlertState.FIRING) {
                String why = "was: " + alert.description();
                entry.setValue(new Alert(rule.name(), alert.subject(), AlertState.RESOLVED, snapshot.at(), null,
                        why));
                events.add(new AlertEvent(rule.name(), alert.subject(), AlertState.FIRING, AlertState.RESOLVED,
                        snapshot.at(), why));
            }
        }
    }

    /** Every alert pending, firing or resolved, rule by rule. */
    public synchronized List<Alert> alerts() {
        List<Alert> result = new ArrayList<>();
        alerts.values().forEach(ofRule -> result.addAll(ofRule.values()));
        return result;
    }

    /** The alerts of one rule. */
    public synchronized List<Alert> alerts(String ruleName) {
        Map<String, Alert> ofRule = alerts.get(ruleName);
        return ofRule == null ? List.of() : List.copyOf(ofRule.values());
    }
}
