package org.foobarstack.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.foobarstack.topology.Analysis;
import org.foobarstack.topology.ShippedTopologies;
import org.foobarstack.topology.Topology;
import org.foobarstack.topology.TopologyException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code analyze TOPOLOGY}: what is wrong with a design, in the course's terms, and how to see it live. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"List what is wrong with a design: single points of failure, security, monitoring, scaling.",
                "Each finding says what it concerns, why it is a weakness, and a command that shows it."})
final class AnalyzeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TOPOLOGY", description = "A shipped design (simple, distributed, secured, scaled) or a "
            + "topology file.")
    String topology;

    @Option(names = "--json", description = "Print {\"topology\":..,\"findings\":[{\"kind\":..,\"subject\":..,"
            + "\"explanation\":..,\"demonstrate\":..}]}.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Topology design;
        try {
            design = ShippedTopologies.resolve(topology);
        } catch (TopologyException e) {
            err.println("foobar-stack: " + e.getMessage());
            err.flush();
            return 2;
        }
        List<Analysis.Finding> findings = Analysis.of(design);
        out.print(json ? json(design, findings) : text(design, findings));
        out.flush();
        return 0;
    }

    static String text(Topology design, List<Analysis.Finding> findings) {
        StringBuilder b = new StringBuilder();
        b.append(design.name()).append(": ").append(findings.size()).append(" findings\n");
        for (Analysis.Finding f : findings) {
            b.append('\n').append(String.format("[%s] %s%n", f.kind().key(), f.subject()));
            b.append(wrap(f.explanation(), "    ")).append('\n');
            b.append("    see it: ").append(f.demonstrate()).append('\n');
        }
        return b.toString();
    }

    static String json(Topology design, List<Analysis.Finding> findings) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("topology", design.name());
        ArrayNode array = root.putArray("findings");
        for (Analysis.Finding f : findings) {
            ObjectNode node = array.addObject();
            node.put("kind", f.kind().key());
            node.put("subject", f.subject());
            node.put("explanation", f.explanation());
            node.put("demonstrate", f.demonstrate());
        }
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    private static String wrap(String text, String indent) {
        StringBuilder b = new StringBuilder(indent);
        int column = indent.length();
        for (String word : text.split(" ")) {
            if (column + word.length() > 100 && column > indent.length()) {
                b.append('\n').append(indent);
                column = indent.length();
            } else if (column > indent.length()) {
                b.append(' ');
                column++;
            }
            b.append(word);
            column += word.length();
        }
        return b.toString();
    }
}
