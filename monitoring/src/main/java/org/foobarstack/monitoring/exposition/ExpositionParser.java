package org.foobarstack.monitoring.exposition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the Prometheus text exposition format, version 0.0.4: what a client library writes at {@code /metrics}
 * and what a monitoring client pushes here. The format, line by line:
 *
 * <pre>
 *   # HELP foobar_http_requests_total HTTP responses, by request method and status code
 *   # TYPE foobar_http_requests_total counter
 *   foobar_http_requests_total{instance="web-1",method="GET",code="200"} 1027
 *   foobar_http_requests_total{instance="web-1",method="GET",code="503"} 3 1700000000000
 *   # any other comment is ignored
 * </pre>
 *
 * <ul>
 *   <li>Lines end in LF. Empty lines are ignored; blanks (spaces, tabs) separate the tokens.</li>
 *   <li>{@code # HELP name text}: the text escapes a backslash as {@code \\} and a line break as {@code \n}.</li>
 *   <li>{@code # TYPE name type}: counter, gauge, histogram, summary or untyped; at most once per metric, and
 *       before its first sample.</li>
 *   <li>A sample: {@code name{label="value",...} value [timestamp]}. Names are {@code [a-zA-Z_:][a-zA-Z0-9_:]*},
 *       label names {@code [a-zA-Z_][a-zA-Z0-9_]*}; a label value escapes {@code \\}, {@code \"} and {@code \n}
 *       and nothing else. The value is a float, or {@code NaN}, {@code +Inf}, {@code -Inf}; the timestamp is an
 *       integer number of milliseconds since the epoch.</li>
 *   <li>A histogram {@code x} writes {@code x_bucket{le="..."}}, {@code x_sum} and {@code x_count}; a summary
 *       {@code x{quantile="..."}}, {@code x_sum} and {@code x_count}. They all belong to the family {@code x}.</li>
 *   <li>All the lines of one metric form one group, and no sample appears twice.</li>
 * </ul>
 *
 * <p>The parser is as strict as Prometheus's own (the Go {@code expfmt} parser that {@code promtool} uses): a body
 * that breaks any of these rules is refused as a whole with an {@link ExpositionException} naming the line, rather
 * than half stored. One parser serves per body, so it keeps its state in fields.
 */
public final class ExpositionParser {

    /** Go's ParseFloat syntax, decimal only, plus Inf, Infinity and NaN in any case. */
    private static final Pattern FLOAT = Pattern.compile(
            "[+-]?(?:(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|(?i:inf(?:inity)?))|(?i:nan)");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d{1,18}");

    /** The families seen so far, in the order they started. */
    private final Map<String, FamilyInProgress> families = new LinkedHashMap<>();
    /** The family the last line belonged to; any other family it is not may not be continued. */
    private FamilyInProgress current;
    private int lineNumber;
    private String line;

    private ExpositionParser() {
    }

    /** Every metric family of {@code text}, in order. An empty text is valid and has none. */
    public static List<MetricFamily> parse(String text) throws ExpositionException {
        return new ExpositionParser().parseAll(text);
    }

    private static final class FamilyInProgress {
        final String name;
        final int firstLine;
        MetricType type = MetricType.UNTYPED;
        boolean typeDeclared;
        String help;
        boolean closed;
        final List<Sample> samples = new ArrayList<>();
        /** Every sample's name and labels, to the line it was on: no series may appear twice. */
        final Map<Sample, Integer> seen = new HashMap<>();

        FamilyInProgress(String name, int firstLine) {
            this.name = name;
            this.firstLine = firstLine;
        }
    }

    private List<MetricFamily> parseAll(String text) throws ExpositionException {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            lineNumber = i + 1;
            line = lines[i];
            if (line.endsWith("\r")) {
                throw error("the line ends in CR LF; lines of the text format end in LF alone");
            }
            int start = skipBlanks(0);
            if (start == line.length()) {
                continue;
            }
            if (line.charAt(start) == '#') {
                comment(start + 1);
            } else {
                sample(start);
            }
        }
        List<MetricFamily> result = new ArrayList<>(families.size());
        for (FamilyInProgress family : families.values()) {
            result.add(new MetricFamily(family.name, family.type, family.help, family.samples));
        }
        return result;
    }

    // ---- # HELP and # TYPE ----

    private void comment(int pos) throws ExpositionException {
        int p = skipBlanks(pos);
        int end = tokenEnd(p);
        String keyword = line.substring(p, end);
        if (!keyword.equals("HELP") && !keyword.equals("TYPE")) {
            return; // any other comment carries nothing
        }
        p = skipBlanks(end);
        int nameEnd = metricNameEnd(p);
        if (nameEnd == p) {
            throw error("expected a metric name after # " + keyword);
        }
        String name = line.substring(p, nameEnd);
        if (nameEnd < line.length() && !isBlank(line.charAt(nameEnd))) {
            throw error("invalid character '" + line.charAt(nameEnd) + "' in metric name");
        }
        FamilyInProgress family = enter(families.computeIfAbsent(name, n -> new FamilyInProgress(n, lineNumber)));
        if (keyword.equals("HELP")) {
            if (family.help != null) {
                throw error("second HELP line for " + name);
            }
            // blanks separate the name from the text (as Go's parser reads it, blanks after the name are skipped)
            family.help = unescapeHelp(line.substring(skipBlanks(nameEnd)));
        } else {
            if (family.typeDeclared) {
                throw error("second TYPE line for " + name);
            }
            if (!family.samples.isEmpty()) {
                throw error("TYPE line for " + name + " after its samples; it must come before them");
            }
            p = skipBlanks(nameEnd);
            int typeEnd = tokenEnd(p);
            String word = line.substring(p, typeEnd);
            MetricType type = MetricType.fromKeyword(word);
            if (word.isEmpty()) {
                throw error("expected a type after the metric name");
            }
            if (type == null) {
                throw error("unknown type \"" + word + "\" (counter, gauge, histogram, summary or untyped)");
            }
            if (skipBlanks(typeEnd) != line.length()) {
                throw error("unexpected text after the type");
            }
            family.type = type;
            family.typeDeclared = true;
        }
    }

    private String unescapeHelp(String text) throws ExpositionException {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
            if (next == '\\') {
                out.append('\\');
            } else if (next == 'n') {
                out.append('\n');
            } else {
                throw error("invalid escape sequence in HELP text (only \\\\ and \\n)");
            }
            i++;
        }
        return out.toString();
    }

    // ---- samples ----

    private void sample(int start) throws ExpositionException {
        int p = metricNameEnd(start);
        if (p == start) {
            throw error("expected a metric name, '#' or an empty line, found '" + line.charAt(start) + "'");
        }
        String name = line.substring(start, p);
        Map<String, String> labels = new LinkedHashMap<>();
        // blanks may stand between the name and its '{', and the '}' may touch the value (as Go's parser reads it)
        boolean hasLabels = skipBlanks(p) < line.length() && line.charAt(skipBlanks(p)) == '{';
        if (hasLabels) {
            p = labels(skipBlanks(p) + 1, labels);
        }
        int valueStart = skipBlanks(p);
        if (valueStart == line.length()) {
            throw error("no value after " + (hasLabels ? "the labels" : "the metric name"));
        }
        if (valueStart == p && !hasLabels) {
            throw error("invalid character '" + line.charAt(p) + "' in the metric name");
        }
        int valueEnd = tokenEnd(valueStart);
        String valueText = line.substring(valueStart, valueEnd);
        if (!FLOAT.matcher(valueText).matches()) {
            throw error("value \"" + valueText + "\" is not a number (nor NaN, +Inf, -Inf)");
        }
        double value = parseFloat(valueText);
        Long timestamp = null;
        int p2 = skipBlanks(valueEnd);
        if (p2 < line.length()) {
            int tsEnd = tokenEnd(p2);
            String tsText = line.substring(p2, tsEnd);
            if (!TIMESTAMP.matcher(tsText).matches()) {
                throw error("timestamp \"" + tsText + "\" is not an integer number of milliseconds");
            }
            timestamp = Long.parseLong(tsText);
            if (skipBlanks(tsEnd) != line.length()) {
                throw error("unexpected text after the timestamp");
            }
        }
        Sample sample = new Sample(name, labels, value, timestamp);
        FamilyInProgress family = enter(familyOf(name));
        checkShape(family, sample);
        Sample series = new Sample(name, labels, 0); // the key: name and labels only
        Integer earlier = family.seen.putIfAbsent(series, lineNumber);
        if (earlier != null) {
            throw error("duplicate sample: the same name and labels are on line " + earlier);
        }
        family.samples.add(sample);
    }

    /** Reads {@code name="value",...}} from just after the '{'; returns the position after the '}'. */
    private int labels(int pos, Map<String, String> labels) throws ExpositionException {
        int p = pos;
        while (true) {
            p = skipBlanks(p);
            if (p < line.length() && line.charAt(p) == '}') {
                return p + 1;
            }
            int nameEnd = labelNameEnd(p);
            if (nameEnd == p) {
                throw error(p == line.length() ? "the labels are not closed with '}'"
                        : "expected a label name or '}', found '" + line.charAt(p) + "'");
            }
            String labelName = line.substring(p, nameEnd);
            p = skipBlanks(nameEnd);
            if (p == line.length() || line.charAt(p) != '=') {
                throw error("expected '=' after label name \"" + labelName + "\"");
            }
            p = skipBlanks(p + 1);
            if (p == line.length() || line.charAt(p) != '"') {
                throw error("expected '\"' to open the value of label " + labelName);
            }
            StringBuilder value = new StringBuilder();
            p = labelValue(p + 1, labelName, value);
            if (labelName.equals("__name__")) {
                throw error("label name __name__ is reserved");
            }
            if (labels.putIfAbsent(labelName, value.toString()) != null) {
                throw error("label " + labelName + " appears twice");
            }
            p = skipBlanks(p);
            if (p < line.length() && line.charAt(p) == ',') {
                p++;
            } else if (p < line.length() && line.charAt(p) == '}') {
                return p + 1;
            } else {
                throw error("expected ',' or '}' after the value of label " + labelName);
            }
        }
    }

    /** Reads a label value from just after its opening quote; returns the position after the closing quote. */
    private int labelValue(int pos, String labelName, StringBuilder out) throws ExpositionException {
        for (int p = pos; p < line.length(); p++) {
            char c = line.charAt(p);
            if (c == '"') {
                return p + 1;
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char next = p + 1 < line.length() ? line.charAt(p + 1) : 0;
            switch (next) {
                case '\\' -> out.append('\\');
                case '"' -> out.append('"');
                case 'n' -> out.append('\n');
                default -> throw error("invalid escape sequence in the value of label " + labelName
                        + " (only \\\\, \\\" and \\n)");
            }
            p++;
        }
        throw error("the value of label " + labelName + " is not closed with '\"'");
    }

    /**
     * The family a sample belongs to: {@code x_bucket}, {@code x_sum} and {@code x_count} are family {@code x}'s
     * when {@code x} was declared a histogram (or, but for _bucket, a summary); any other name is its own family,
     * untyped if no TYPE line declared it.
     */
    private FamilyInProgress familyOf(String sampleName) {
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (sampleName.endsWith(suffix)) {
                FamilyInProgress base = families.get(sampleName.substring(0, sampleName.length() - suffix.length()));
                if (base != null && (base.type == MetricType.HISTOGRAM
                        || base.type == MetricType.SUMMARY && !suffix.equals("_bucket"))) {
                    return base;
                }
            }
        }
        return families.computeIfAbsent(sampleName, n -> new FamilyInProgress(n, lineNumber));
    }

    /** Makes {@code family} the current one; a family whose group has ended may not start again. */
    private FamilyInProgress enter(FamilyInProgress family) throws ExpositionException {
        if (family == current) {
            return family;
        }
        if (family.closed) {
            throw error("the lines of " + family.name + " must form one group, and its group ended before this "
                    + "line (it began on line " + family.firstLine + ")");
        }
        if (current != null) {
            current.closed = true;
        }
        current = family;
        return family;
    }

    /** A histogram's and a summary's samples each carry the label that places them. */
    private void checkShape(FamilyInProgress family, Sample sample) throws ExpositionException {
        String name = sample.name();
        if (family.type == MetricType.HISTOGRAM) {
            if (name.equals(family.name + "_bucket")) {
                requireFloatLabel(sample, "le", "a histogram bucket");
            } else if (name.equals(family.name)) {
                throw error("a histogram's samples are " + family.name + "_bucket, _sum and _count, not "
                        + family.name);
            }
        } else if (family.type == MetricType.SUMMARY && name.equals(family.name)) {
            requireFloatLabel(sample, "quantile", "a summary quantile");
        }
    }

    private void requireFloatLabel(Sample sample, String labelName, String what) throws ExpositionException {
        String value = sample.label(labelName);
        if (value == null) {
            throw error(what + " needs a " + labelName + " label");
        }
        if (!FLOAT.matcher(value).matches()) {
            throw error("the " + labelName + " label of " + what + " is not a number: \"" + value + "\"");
        }
    }

    // ---- characters ----

    /**
     * A value as the format writes it: "1027", "0.025", "1e-3", "+Inf", "NaN". Java's parseDouble knows "Infinity"
     * and "NaN" but not Go's "Inf", nor these words in other cases.
     */
    public static double parseFloat(String text) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("nan")) {
            return Double.NaN;
        }
        if (lower.endsWith("inf") || lower.endsWith("infinity")) {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return Double.parseDouble(text);
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private int skipBlanks(int pos) {
        int p = pos;
        while (p < line.length() && isBlank(line.charAt(p))) {
            p++;
        }
        return p;
    }

    private int tokenEnd(int pos) {
        int p = pos;
        while (p < line.length() && !isBlank(line.charAt(p))) {
            p++;
        }
        return p;
    }

    private int metricNameEnd(int pos) {
        int p = pos;
        while (p < line.length()) {
            char c = line.charAt(p);
            boolean letter = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':';
            if (!letter && !(p > pos && c >= '0' && c <= '9')) {
                break;
            }
            p++;
        }
        return p;
    }

    private int labelNameEnd(int pos) {
        int p = pos;
        while (p < line.length()) {
            char c = line.charAt(p);
            boolean letter = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
            if (!letter && !(p > pos && c >= '0' && c <= '9')) {
                break;
            }
            p++;
        }
        return p;
    }

    private ExpositionException error(String problem) {
        return new ExpositionException(lineNumber, line, problem);
    }
}
