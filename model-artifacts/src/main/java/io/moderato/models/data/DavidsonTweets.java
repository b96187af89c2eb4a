package io.moderato.models.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Davidson et al. (ICWSM 2017) hate-speech / offensive-language tweets as committed under
 * {@code model-artifacts/data/davidson-2017/} (see its README): per tweet the number of annotators, the
 * votes for each class and the majority class.
 */
public final class DavidsonTweets {

    public static final String FOLDER = "davidson-2017";
    public static final String FILE = "labeled_data.dev.csv";
    public static final String CITATION = "Davidson, Warmsley, Macy, Weber. Automated Hate Speech Detection and the "
            + "Problem of Offensive Language. ICWSM 2017";
    public static final String LICENSE = "MIT (copyright 2017 Tom Davidson)";
    public static final int HATE = 0;
    public static final int OFFENSIVE = 1;
    public static final int NEITHER = 2;
    public static final List<String> CLASS_NAMES = List.of("hate speech", "offensive language", "neither");

    private DavidsonTweets() {}

    /**
     * One annotated tweet.
     *
     * @param id        the original row id (first, unnamed column), as a zero-padded string so it sorts
     * @param votes     annotators who chose hate speech, offensive language, neither (indexed by class)
     * @param majority  the published majority class
     */
    public record Tweet(String id, int annotators, int[] votes, int majority, String text) {

        public boolean hate() {
            return majority == HATE;
        }

        /** Hate speech or offensive language: anything but "neither". */
        public boolean abusive() {
            return majority != NEITHER;
        }

        /** Share of annotators who chose {@code cls}. */
        public double share(int cls) {
            return votes[cls] / (double) annotators;
        }
    }

    /** Reads {@code <dataRoot>/davidson-2017/labeled_data.dev.csv}; fails naming the row of any inconsistent vote. */
    public static List<Tweet> load(Path dataRoot) {
        TextTable table = TextTable.read(dataRoot.resolve(FOLDER).resolve(FILE));
        table.requireColumns("", "count", "hate_speech", "offensive_language", "neither", "class", "tweet");
        List<Tweet> tweets = new ArrayList<>(table.rows().size());
        for (int i = 0; i < table.rows().size(); i++) {
            int count = integer(table, i, "count");
            int[] votes = {
                integer(table, i, "hate_speech"), integer(table, i, "offensive_language"), integer(table, i, "neither")
            };
            int majority = integer(table, i, "class");
            if (votes[0] + votes[1] + votes[2] != count || majority < 0 || majority > 2 || count <= 0) {
                throw new IllegalArgumentException(
                        table.file() + ": row " + (i + 1) + ": votes " + votes[0] + "/" + votes[1] + "/" + votes[2]
                                + " do not add up to count " + count + " or class " + majority + " is not 0-2");
            }
            String id = String.format("%06d", integer(table, i, ""));
            tweets.add(new Tweet(id, count, votes, majority, table.value(i, "tweet")));
        }
        return List.copyOf(tweets);
    }

    private static int integer(TextTable table, int row, String column) {
        String value = table.value(row, column).trim();
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(table.file() + ": row " + (row + 1) + ", column '" + column
                    + "': expected a whole number, got '" + value + "'");
        }
    }
}
