package org.foobarstack.storage;

import java.io.Writer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the Derby Network Server writes its console messages ("... started and ready to accept connections
 * on port 1527", "Could not listen on port ..."). Each line goes to SLF4J, and the last few are kept so that
 * a failed start can quote them in its error.
 */
final class DerbyConsole extends Writer {

    private static final Logger LOG = LoggerFactory.getLogger("org.foobarstack.storage.derby");
    /** How many recent console lines to keep for error messages. */
    private static final int KEPT_LINES = 20;

    private final String name;
    private final StringBuilder line = new StringBuilder();
    private final Deque<String> recent = new ArrayDeque<>();

    DerbyConsole(String name) {
        this.name = name;
    }

    @Override
    public synchronized void write(char[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            char c = buf[i];
            if (c == '\n') {
                emit();
            } else if (c != '\r') {
                line.append(c);
            }
        }
    }

    private void emit() {
        String text = line.toString().strip();
        line.setLength(0);
        if (text.isEmpty()) {
            return;
        }
        LOG.info("[{}] {}", name, text);
        recent.addLast(text);
        while (recent.size() > KEPT_LINES) {
            recent.removeFirst();
        }
    }

    synchronized List<String> recentLines() {
        return List.copyOf(recent);
    }

    @Override
    public synchronized void flush() {
        if (line.length() > 0) {
            emit();
        }
    }

    @Override
    public void close() {
        flush();
    }
}
