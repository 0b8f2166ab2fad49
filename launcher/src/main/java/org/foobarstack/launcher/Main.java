package org.foobarstack.launcher;

import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar foobar-stack.jar [command]}: the entry point. With no command it runs the whole stack.
 */
@Command(name = "foobar-stack",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A whole web stack for foobar.com on this machine: DNS, web server, app server, database.",
        subcommands = {RunCommand.class, HostCommand.class, org.foobarstack.launcher.netns.UpCommand.class,
                org.foobarstack.launcher.netns.DownCommand.class, TopologiesCommand.class, AnalyzeCommand.class, DrawCommand.class, FirewallCommand.class,
                ExportCommand.class,
                CtlCommand.class, DeployCommand.class,
                ScaleCommand.class,
                org.foobarstack.loadgen.cli.LoadCommand.class, org.foobarstack.launcher.demo.DemoCommand.class,
                BackupCommand.class,
                RestoreCommand.class, org.foobarstack.launcher.walk.WalkCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("host")) {
            NativeLibraries.loadInBackground(); // as for run: a host runs tiers
            System.exit(commandLine().execute(args));
        }
        if (args.length == 0 || args[0].equals("run")) {
            NativeLibraries.loadInBackground();
            System.exit(runCommandLine().execute(args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(commandLine().execute(args));
    }

    /** Every command: what {@code foobar-stack help}, {@code ctl}, {@code walk} and the rest are parsed with. */
    static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    /**
     * {@code run} alone, named {@code foobar-stack run} so that its usage reads the same as through
     * {@link #commandLine()}. Starting the stack is the everyday command and the one a user waits for: picocli
     * builds a command's model by reading its annotations through reflection, and doing that for all fifteen
     * commands (and their own subcommands) took about half a second of a start that now takes about one.
     */
    static CommandLine runCommandLine() {
        return new CommandLine(new RunCommand()).setCommandName("foobar-stack run");
    }

    /**
     * No subcommand: run the stack with default settings, which is what a first-time user expects. Its exit code
     * is ours; {@code run} has already said what went wrong.
     */
    @Override
    public Integer call() {
        return spec.commandLine().getSubcommands().get("run").execute();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"foobar-stack " + (version == null ? "(development build)" : version)};
        }
    }
}
