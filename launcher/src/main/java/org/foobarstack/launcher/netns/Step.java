package org.foobarstack.launcher.netns;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One command of a plan, as an operator would type it at a root shell.
 *
 * @param command the words: {@code ip}, {@code nft} or {@code sysctl} first, run without a shell
 * @param input   what the command reads on its standard input (an nftables ruleset for {@code nft -f -}), or null
 * @param about   for the learner, one line on what the input is ("lb-1's firewall, 21 lines"), or null
 * @param creates what the command makes that must be removed again, if anything
 */
public record Step(List<String> command, String input, String about, Optional<NetObject> creates) {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@,+-]+");

    public Step {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a step needs a command");
        }
        Objects.requireNonNull(creates, "creates");
    }

    public static Step of(List<String> command) {
        return new Step(command, null, null, Optional.empty());
    }

    public static Step making(NetObject made, List<String> command) {
        return new Step(command, null, null, Optional.of(made));
    }

    public static Step reading(String input, String about, List<String> command) {
        return new Step(command, input, about, Optional.empty());
    }

    /** The command as one line a shell would run the same way (words with spaces or braces quoted). */
    public String line() {
        StringBuilder b = new StringBuilder();
        for (String word : command) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append(PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'");
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return line() + (about == null ? "" : "   < " + about);
    }
}
