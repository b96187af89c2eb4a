package io.moderato.schemas;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * The compatibility rule of the wire contract: a current schema must read data written with every
 * released schema (backward) and every released schema must read data written with the current one
 * (forward). Returns the problems as readable lines naming the record and the incompatibility.
 */
final class CompatibilityGate {

    private CompatibilityGate() {}

    /** All problems between a released and a current schema, in both directions; empty when fully compatible. */
    static List<String> incompatibilities(String label, Schema released, Schema current) {
        List<String> problems = new ArrayList<>();
        check(problems, label + ": current cannot read data written with released (backward)", current, released);
        check(problems, label + ": released cannot read data written with current (forward)", released, current);
        return problems;
    }

    private static void check(List<String> problems, String what, Schema reader, Schema writer) {
        SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (Incompatibility i : result.getResult().getIncompatibilities()) {
            problems.add(what + ": " + i.getType() + " at " + i.getLocation() + ": " + i.getMessage());
        }
    }
}
