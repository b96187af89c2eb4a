package io.moderato.models.cli;

import java.io.PrintStream;
import java.util.function.Function;

/**
 * The start both model CLIs share: parse the flags, or answer without running. {@code --help} (the parser
 * returns null) prints the usage to stdout and ends with 0; a bad flag (the parser throws
 * {@link IllegalArgumentException}) prints one line naming it and the usage to stderr and ends with 2.
 *
 * @param options the parsed options, null when the command is already answered
 * @param exitStatus the status to end with when {@code options} is null
 */
record CliStart<O>(O options, int exitStatus) {

    static <O> CliStart<O> parse(
            String command,
            String usage,
            String[] args,
            Function<String[], O> parser,
            PrintStream out,
            PrintStream err) {
        O options;
        try {
            options = parser.apply(args);
        } catch (IllegalArgumentException e) {
            err.println(command + ": " + e.getMessage());
            err.print(usage);
            return new CliStart<>(null, 2);
        }
        if (options == null) {
            out.print(usage);
            return new CliStart<>(null, 0);
        }
        return new CliStart<>(options, 0);
    }

    /** Whether the command is already answered (help or a usage error) and must end with {@link #exitStatus}. */
    boolean answered() {
        return options == null;
    }
}
