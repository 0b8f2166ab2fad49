package org.foobarstack.lb.backend;

/**
 * One health check's outcome, or one failure observed on real traffic.
 *
 * @param status         HAProxy's code, e.g. L4CON
 * @param code           the HTTP status of a layer-7 check, 0 otherwise
 * @param info           what exactly happened: "Connection refused", "HTTP status 503"
 * @param durationMillis how long the check took
 * @param atMillis       wall-clock time it ended
 * @param observed       true when it was seen on a client's request rather than by a check (HAProxy's
 *                       {@code observe layer7}): a refused connection or a 5xx answer counts as a failed check
 */
public record CheckResult(CheckStatus status, int code, String info, long durationMillis, long atMillis,
                          boolean observed) {

    public static CheckResult initial(long nowMillis, boolean checked) {
        return new CheckResult(checked ? CheckStatus.INI : CheckStatus.NONE, 0, "", 0, nowMillis, false);
    }

    /** "L4CON (Connection refused) in 0 ms", as the stats page's LastChk column shows it. */
    public String describe() {
        StringBuilder sb = new StringBuilder(status.name());
        if (code != 0) {
            sb.append(' ').append(code);
        }
        if (!info.isEmpty()) {
            sb.append(" (").append(info).append(')');
        }
        if (observed) {
            sb.append(" seen on traffic");
        } else if (status != CheckStatus.INI && status != CheckStatus.NONE) {
            sb.append(" in ").append(durationMillis).append(" ms");
        }
        return sb.toString();
    }
}
