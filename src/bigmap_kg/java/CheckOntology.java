// The full-closure ontology check (`bigmap-kg check-ontology`): loads one merged ontology file
// with the OWL API bundled in owlready2's HermiT.jar, runs the OWL 2 DL profile check, then
// HermiT (consistency, classification, unsatisfiable classes). One tab-separated fact a line.
// Run as a single-file source program: java -cp HermiT.jar CheckOntology.java merged.owl [NS]
// With NS, only the classes whose IRI starts with NS are tested for satisfiability (one test
// each) instead of classifying the whole closure: enough when the other ontologies' classes
// appear in our axioms only as superclasses, which cannot make them unsatisfiable.
import java.io.File;
import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.reasoner.InferenceType;

public class CheckOntology {
    static long mark = System.nanoTime();

    static void time(String step) {
        long now = System.nanoTime();
        System.out.printf("time\t%s\t%.2f%n", step, (now - mark) / 1e9);
        mark = now;
    }

    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        System.out.println("axioms\t" + ontology.getAxiomCount());
        System.out.println("classes\t" + ontology.getClassesInSignature().size());
        time("load");
        for (OWLProfileViolation v : new OWL2DLProfile().checkOntology(ontology).getViolations()) {
            System.out.println("profile\t" + v.toString().replaceAll("\\s+", " "));
        }
        time("profile");
        Configuration configuration = new Configuration();
        configuration.ignoreUnsupportedDatatypes = true;  // EMMO's own metrology datatype
        Reasoner reasoner = new Reasoner(configuration, ontology);
        boolean consistent = reasoner.isConsistent();
        System.out.println("consistent\t" + consistent);
        time("consistency");
        if (consistent && args.length > 1) {
            int tested = 0;
            for (OWLClass c : ontology.getClassesInSignature()) {
                if (!c.getIRI().toString().startsWith(args[1])) continue;
                tested++;
                if (!reasoner.isSatisfiable(c)) System.out.println("unsatisfiable\t" + c.getIRI());
            }
            System.out.println("tested\t" + tested);
            time("satisfiability");
        } else if (consistent) {
            reasoner.precomputeInferences(InferenceType.CLASS_HIERARCHY);
            for (OWLClass c : reasoner.getUnsatisfiableClasses().getEntitiesMinusBottom()) {
                System.out.println("unsatisfiable\t" + c.getIRI());
            }
            time("classification");
        }
    }
}
