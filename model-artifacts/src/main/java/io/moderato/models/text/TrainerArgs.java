package io.moderato.models.text;

/** Positional command-line arguments of the trainers' {@code main}: a missing or blank one takes its default. */
final class TrainerArgs {

    private TrainerArgs() {}

    static String arg(String[] args, int i, String fallback) {
        return args.length > i && !args[i].isBlank() ? args[i] : fallback;
    }
}
