"""Demo catalog content: the ten tracks, a glossary per track (the item banks are built from it) and the
lessons of the flagship course, with Spanish and German translations (some lessons left untranslated)."""

TRACKS = [
    (
        "ai-ml",
        "AI/ML",
        "Train, evaluate and serve models on NovaCron.",
        [
            ("overfitting", "A model fits its training data so closely that it generalises poorly"),
            ("regularisation", "Penalising model complexity to reduce overfitting"),
            ("embedding", "A dense vector representation of an item such as a word or a user"),
            ("gradient descent", "Iteratively moving parameters against the gradient of the loss"),
            ("cross-validation", "Estimating generalisation by training and testing on rotating folds"),
            ("precision", "The share of predicted positives that are truly positive"),
            ("recall", "The share of true positives that the model finds"),
            ("feature store", "A service that serves the same features to training and inference"),
            ("model drift", "Degradation of a deployed model as the input distribution changes"),
            ("quantisation", "Storing weights in fewer bits to make inference cheaper"),
        ],
    ),
    (
        "quantum",
        "Quantum computing",
        "Hybrid quantum-classical workloads.",
        [
            ("qubit", "The basic unit of quantum information, a two-level system"),
            ("superposition", "A state that is a linear combination of basis states"),
            ("entanglement", "A correlation between qubits that no classical state can describe"),
            ("decoherence", "Loss of quantum behaviour through interaction with the environment"),
            ("hadamard gate", "The gate that maps a basis state to an equal superposition"),
            ("measurement", "The operation that collapses a qubit to a classical outcome"),
            ("qaoa", "A variational algorithm for combinatorial optimisation"),
            ("error correction", "Encoding logical qubits in many physical qubits to survive noise"),
            ("circuit depth", "The number of sequential gate layers in a circuit"),
            ("transpilation", "Rewriting a circuit for a specific device's native gates and topology"),
        ],
    ),
    (
        "neuromorphic",
        "Neuromorphic computing",
        "Spiking networks and event-driven hardware.",
        [
            ("spiking neuron", "A neuron model that communicates with discrete events in time"),
            ("synapse", "The weighted connection between two neurons"),
            ("stdp", "A learning rule driven by the relative timing of spikes"),
            ("event camera", "A sensor that reports per-pixel brightness changes asynchronously"),
            ("leaky integrate-and-fire", "A neuron whose potential decays and fires at a threshold"),
            ("rate coding", "Encoding a value as the frequency of spikes"),
            ("temporal coding", "Encoding information in the precise timing of spikes"),
            ("refractory period", "The interval after a spike during which a neuron cannot fire"),
            ("crossbar", "A memory array that computes weighted sums in place"),
            ("sparsity", "Most units being inactive most of the time, which saves energy"),
        ],
    ),
    (
        "distributed-systems",
        "Distributed systems",
        "Consensus, replication and scheduling at scale.",
        [
            ("consensus", "Agreement of several nodes on one value despite failures"),
            ("raft", "A leader-based consensus algorithm designed to be understandable"),
            ("quorum", "The minimum number of nodes that must agree for an operation to succeed"),
            ("partition", "A network failure that splits nodes into groups that cannot communicate"),
            ("idempotency", "The property that repeating an operation has the same effect as doing it once"),
            ("leader election", "Choosing one node to coordinate the others"),
            ("vector clock", "A structure that captures causal order between events"),
            ("linearizability", "Operations appear to take effect atomically at one point in real time"),
            ("backpressure", "A consumer signalling a producer to slow down"),
            ("sharding", "Splitting data across nodes by key"),
        ],
    ),
    (
        "security",
        "Security",
        "Threat modelling, identity and secure operations.",
        [
            ("least privilege", "Granting only the permissions a task needs"),
            ("threat model", "A structured description of what can go wrong and who may attack"),
            ("mfa", "Authentication with two or more independent factors"),
            ("csrf", "An attack that makes a victim's browser send an unwanted authenticated request"),
            ("xss", "An attack that injects script into pages other users see"),
            ("secret rotation", "Replacing credentials on a schedule or after exposure"),
            ("sbom", "An inventory of the components in a piece of software"),
            ("mtls", "TLS in which both client and server present certificates"),
            ("hashing", "A one-way function used to store passwords safely with a salt"),
            ("audit log", "An append-only record of who changed what and when"),
        ],
    ),
    (
        "cloud-native",
        "Cloud native",
        "Containers, orchestration and services.",
        [
            ("container", "A process isolated with its own filesystem and limits"),
            ("pod", "The smallest deployable unit in Kubernetes, one or more containers"),
            ("service mesh", "Infrastructure that handles service-to-service traffic with sidecars"),
            ("readiness probe", "A check that tells the orchestrator when to send traffic to an instance"),
            ("horizontal scaling", "Adding more instances rather than bigger ones"),
            ("immutable infrastructure", "Replacing servers instead of changing them in place"),
            ("helm", "A package manager for Kubernetes manifests"),
            ("operator", "A controller that encodes operational knowledge for an application"),
            ("configmap", "A Kubernetes object holding non-secret configuration"),
            ("twelve-factor", "A methodology for building portable, scalable web services"),
        ],
    ),
    (
        "edge",
        "Edge computing",
        "Running workloads near users and devices.",
        [
            ("latency", "The time between a request and its response"),
            ("edge node", "A compute location close to users or devices"),
            ("offline-first", "Designing software to work without a network connection"),
            ("data gravity", "Applications being pulled towards where large data lives"),
            ("fog computing", "A layer of compute between devices and the cloud"),
            ("over-the-air update", "Delivering software updates to devices remotely"),
            ("mqtt", "A lightweight publish-subscribe protocol for devices"),
            ("digital twin", "A live software model of a physical asset"),
            ("bandwidth", "The amount of data a link can carry per second"),
            ("local inference", "Running a model on the device instead of in the cloud"),
        ],
    ),
    (
        "blockchain",
        "Blockchain",
        "Ledgers, smart contracts and verification.",
        [
            ("smart contract", "A program stored on a blockchain that runs when called"),
            ("merkle tree", "A hash tree that proves membership with logarithmic proofs"),
            ("proof of stake", "A consensus mechanism that selects validators by their stake"),
            ("gas", "The fee unit for computation on a blockchain"),
            ("finality", "The point after which a transaction cannot be reverted"),
            ("oracle", "A service that brings external data onto a chain"),
            ("nonce", "A number used once, for example to order an account's transactions"),
            ("wallet", "Software that holds keys and signs transactions"),
            ("fork", "A divergence of a chain into two histories"),
            ("rollup", "A layer-two scheme that batches transactions off-chain"),
        ],
    ),
    (
        "data-science",
        "Data science",
        "From raw data to decisions.",
        [
            ("median", "The middle value of a sorted sample"),
            ("p-value", "The probability of data at least as extreme under the null hypothesis"),
            ("confounder", "A variable that influences both the cause and the effect"),
            ("a/b test", "A randomised experiment comparing two variants"),
            ("imputation", "Filling in missing values"),
            ("outlier", "An observation far from the others"),
            ("normalisation", "Rescaling features to a common range"),
            ("correlation", "A measure of linear association between two variables"),
            ("bootstrap", "Resampling with replacement to estimate uncertainty"),
            ("etl", "Extracting, transforming and loading data"),
        ],
    ),
    (
        "devops",
        "DevOps",
        "Delivery pipelines and reliable operations.",
        [
            ("continuous integration", "Merging and testing changes frequently and automatically"),
            ("canary release", "Rolling a change out to a small share of traffic first"),
            ("blue-green deployment", "Switching traffic between two identical environments"),
            ("slo", "A target level of reliability for a service"),
            ("error budget", "The unreliability an SLO allows before releases slow down"),
            ("infrastructure as code", "Managing infrastructure with versioned definitions"),
            ("rollback", "Returning to the previous version after a bad release"),
            ("postmortem", "A blameless written analysis of an incident"),
            ("observability", "Understanding a system's state from its outputs"),
            ("gitops", "Using a git repository as the source of truth for deployments"),
        ],
    ),
]

CERTIFICATION_DESCRIPTIONS = {
    "developer": "builds and ships {track} workloads on NovaCron following the platform's practices",
    "architect": "designs {track} systems on NovaCron and reasons about their trade-offs",
    "expert": "leads {track} work on NovaCron and mentors others",
}

FLAGSHIP_LESSONS = [
    # module, title, body, translations {lang: (title, body)}
    (
        "Foundations",
        "Why distributed systems fail",
        "Networks drop, delay and reorder messages; machines crash and restart. A distributed system must keep "
        "working **despite** these faults.\n\nThe classic fallacies: the network is reliable, latency is zero, "
        "bandwidth is infinite.\n\n```python\nimport random\n\ndef send(message):\n    if random.random() < 0.01:\n"
        '        raise TimeoutError("lost")\n    return message\n```\n',
        {
            "es": (
                "Por qué fallan los sistemas distribuidos",
                "Las redes pierden, retrasan y reordenan mensajes; "
                "las máquinas fallan y se reinician. Un sistema distribuido debe seguir funcionando **a pesar** "
                "de estos fallos.",
            ),
            "de": (
                "Warum verteilte Systeme ausfallen",
                "Netzwerke verlieren, verzögern und vertauschen "
                "Nachrichten; Maschinen stürzen ab und starten neu. Ein verteiltes System muss **trotz** dieser "
                "Fehler weiterarbeiten.",
            ),
        },
    ),
    (
        "Foundations",
        "Idempotent operations",
        "Retries are the cure for lost messages, and **idempotency** makes retries safe: repeating an operation "
        "has the same effect as doing it once.\n\nNovaCron's API accepts an `Idempotency-Key` header on every "
        "POST that moves money or capacity.\n",
        {
            "es": (
                "Operaciones idempotentes",
                "Los reintentos curan los mensajes perdidos y la **idempotencia** los "
                "hace seguros: repetir una operación tiene el mismo efecto que hacerla una vez.",
            )
        },
    ),
    (
        "Consensus",
        "Quorums and majorities",
        "With *n* replicas, a **quorum** of ⌊n/2⌋+1 guarantees that any two quorums overlap, so a value written "
        "to one quorum is seen by the next. Five nodes tolerate two failures.\n",
        {
            "de": (
                "Quoren und Mehrheiten",
                "Bei *n* Replikaten garantiert ein **Quorum** von ⌊n/2⌋+1, dass sich "
                "zwei Quoren überschneiden. Fünf Knoten tolerieren zwei Ausfälle.",
            )
        },
    ),
    (
        "Consensus",
        "Raft in one page",
        "Raft elects a **leader** per term; the leader appends entries to its log and replicates them; an entry "
        "is committed once a majority stores it.\n\n1. Followers time out and become candidates.\n2. A candidate "
        "with votes from a majority becomes leader.\n3. The leader sends heartbeats.\n",
        {},
    ),
]
