package dev.mvmm.core.domain;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * A libvirt domain definition, edited as XML (never as text): identity, interfaces, disks, NVRAM,
 * and QEMU's {@code incremental-backup} capability. Shared by {@code restore --define},
 * {@code replicate} and {@code patch}. Everything it does not edit is written back as it was read
 * (attribute quoting aside).
 */
public final class DomainXml {

    /** The namespace of libvirt's QEMU-specific elements. */
    public static final String QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0";
    static final String INCREMENTAL_BACKUP = "incremental-backup";
    /** The namespace of mvmm's own mark in a domain's {@code <metadata>}. */
    public static final String MVMM_NS = "https://mvmm.dev/xmlns/domain/1";

    private final Document document;
    private final Element domain;

    private DomainXml(Document document) {
        this.document = document;
        this.domain = document.getDocumentElement();
    }

    /** A disk: target device, image file (null when not file-backed), format. */
    public record Disk(String target, String device, String file, String format) {

        public boolean fileBacked() {
            return file != null;
        }
    }

    public static DomainXml parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document document = factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
            if (!"domain".equals(document.getDocumentElement().getLocalName())) {
                throw new IllegalArgumentException("not a libvirt domain definition (its root element is <"
                        + document.getDocumentElement().getNodeName() + ">)");
            }
            return new DomainXml(document);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read the domain XML: " + e.getMessage(), e);
        }
    }

    public String name() {
        return child(domain, "name").map(Element::getTextContent).map(String::strip).orElse(null);
    }

    public void setName(String name) {
        element(domain, "name").setTextContent(name);
    }

    public String uuid() {
        return child(domain, "uuid").map(Element::getTextContent).map(String::strip).orElse(null);
    }

    public void setUuid(String uuid) {
        element(domain, "uuid").setTextContent(uuid);
    }

    /** The MAC addresses of every interface, in document order (null for an interface without one). */
    public List<String> macs() {
        List<String> macs = new ArrayList<>();
        for (Element iface : interfaces()) {
            macs.add(child(iface, "mac").map(mac -> mac.getAttribute("address")).orElse(null));
        }
        return macs;
    }

    /** Gives every interface a new MAC address from {@code next}. */
    public void replaceMacs(Supplier<String> next) {
        for (Element iface : interfaces()) {
            element(iface, "mac").setAttribute("address", next.get());
        }
    }

    public List<Disk> disks() {
        List<Disk> disks = new ArrayList<>();
        for (Element disk : diskElements()) {
            Optional<Element> source = child(disk, "source");
            String file = "file".equals(disk.getAttribute("type")) ? source.map(s -> s.getAttribute("file"))
                    .filter(f -> !f.isEmpty()).orElse(null) : null;
            String format = child(disk, "driver").map(d -> d.getAttribute("type")).filter(t -> !t.isEmpty())
                    .orElse("raw");
            String device = disk.getAttribute("device").isEmpty() ? "disk" : disk.getAttribute("device");
            disks.add(new Disk(child(disk, "target").map(t -> t.getAttribute("dev")).orElse("?"), device, file,
                    format));
        }
        return disks;
    }

    /** Points a file-backed disk at another image; drops any backing chain description, which was the old file's. */
    public void setDiskFile(String target, String file) {
        for (Element disk : diskElements()) {
            if (child(disk, "target").map(t -> t.getAttribute("dev")).orElse("").equals(target)) {
                element(disk, "source").setAttribute("file", file);
                child(disk, "backingStore").ifPresent(disk::removeChild);
                return;
            }
        }
        throw new IllegalArgumentException("the domain has no disk " + target);
    }

    /** Drops a disk from the definition (a restore of some disks only defines those). */
    public void removeDisk(String target) {
        for (Element disk : diskElements()) {
            if (child(disk, "target").map(t -> t.getAttribute("dev")).orElse("").equals(target)) {
                disk.getParentNode().removeChild(disk);
                return;
            }
        }
    }

    /** The UEFI variable store file, if the domain has one. */
    public Optional<String> nvram() {
        return child(domain, "os").flatMap(os -> child(os, "nvram")).map(Element::getTextContent).map(String::strip)
                .filter(path -> !path.isEmpty());
    }

    /** Points the domain at another NVRAM file; null lets libvirt create a fresh one from its template. */
    public void setNvram(String path) {
        child(domain, "os").flatMap(os -> child(os, "nvram")).ifPresent(nvram -> {
            if (path == null) {
                nvram.getParentNode().removeChild(nvram);
            } else {
                nvram.setTextContent(path);
            }
        });
    }

    /** Whether the domain has an emulated TPM, whose state libvirt keeps per UUID. */
    public boolean hasEmulatedTpm() {
        return elements(domain, "tpm").stream().anyMatch(tpm -> child(tpm, "backend")
                .map(b -> "emulator".equals(b.getAttribute("type"))).orElse(false));
    }

    /**
     * Removes what belongs to one running instance and must not be copied into a new definition:
     * the domain id, generated aliases, tap device names, network port ids, dynamic security labels.
     */
    public void stripRuntime() {
        domain.removeAttribute("id");
        for (Element alias : elements(domain, "alias")) {
            if (!alias.getAttribute("name").startsWith("ua-")) {
                alias.getParentNode().removeChild(alias);
            }
        }
        for (Element iface : interfaces()) {
            child(iface, "target").ifPresent(target -> {
                String dev = target.getAttribute("dev");
                if (dev.startsWith("vnet") || dev.startsWith("macvtap") || dev.startsWith("vif")) {
                    iface.removeChild(target);
                }
            });
            child(iface, "source").ifPresent(source -> {
                source.removeAttribute("portid");
                if ("network".equals(iface.getAttribute("type"))) {
                    source.removeAttribute("bridge");
                }
            });
        }
        for (Element seclabel : children(domain, "seclabel")) {
            if ("dynamic".equals(seclabel.getAttribute("type"))) {
                domain.removeChild(seclabel);
            }
        }
    }

    /** Whether the domain itself declares QEMU's incremental-backup capability (not merely the namespace). */
    public boolean declaresIncrementalBackup() {
        for (Element capabilities : qemuChildren(domain, "capabilities")) {
            for (Element add : qemuChildren(capabilities, "add")) {
                if (INCREMENTAL_BACKUP.equals(add.getAttribute("capability"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Declares QEMU's incremental-backup capability, reusing the document's qemu namespace prefix and an
     * existing {@code <qemu:capabilities>} when there are. Returns false (and changes nothing) when it is
     * already declared; a {@code <qemu:del>} of it is removed.
     */
    public boolean addIncrementalBackup() {
        if (declaresIncrementalBackup()) {
            return false;
        }
        String prefix = domain.lookupPrefix(QEMU_NS);
        if (prefix == null) {
            prefix = "qemu";
            if (domain.lookupNamespaceURI(prefix) != null) {
                prefix = "mvmmqemu";
            }
            domain.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:" + prefix, QEMU_NS);
        }
        List<Element> existing = qemuChildren(domain, "capabilities");
        Element capabilities;
        if (existing.isEmpty()) {
            capabilities = document.createElementNS(QEMU_NS, prefix + ":capabilities");
            domain.appendChild(capabilities);
        } else {
            capabilities = existing.get(0);
        }
        for (Element del : qemuChildren(capabilities, "del")) {
            if (INCREMENTAL_BACKUP.equals(del.getAttribute("capability"))) {
                capabilities.removeChild(del);
            }
        }
        Element add = document.createElementNS(QEMU_NS, prefixOf(capabilities, prefix) + ":add");
        add.setAttribute("capability", INCREMENTAL_BACKUP);
        capabilities.appendChild(add);
        return true;
    }

    /**
     * Marks the definition as a clone still being made from {@code source}: {@code replicate}
     * defines the clone with this mark first and removes it last, so a run cut off in between
     * leaves a clone the next run knows as its own unfinished work.
     */
    public void markUnfinishedReplica(String source) {
        clearUnfinishedReplica();
        Element metadata = element(domain, "metadata");
        Element mark = document.createElementNS(MVMM_NS, "mvmm:replicate");
        mark.setAttribute("state", "copying");
        mark.setAttribute("source", source);
        metadata.appendChild(mark);
    }

    /** Whether the definition carries {@link #markUnfinishedReplica}'s mark. */
    public boolean isUnfinishedReplica() {
        return !replicaMarks().isEmpty();
    }

    public void clearUnfinishedReplica() {
        for (Element mark : replicaMarks()) {
            mark.getParentNode().removeChild(mark);
        }
    }

    private List<Element> replicaMarks() {
        List<Element> marks = new ArrayList<>();
        for (Element metadata : children(domain, "metadata")) {
            NodeList nodes = metadata.getChildNodes();
            for (int i = 0; i < nodes.getLength(); i++) {
                if (nodes.item(i) instanceof Element element && MVMM_NS.equals(element.getNamespaceURI())
                        && "replicate".equals(element.getLocalName())) {
                    marks.add(element);
                }
            }
        }
        return marks;
    }

    public String toXml() {
        try {
            var transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter writer = new StringWriter();
            transformer.transform(new DOMSource(document), new StreamResult(writer));
            String xml = writer.toString();
            return xml.endsWith("\n") ? xml : xml + "\n";
        } catch (Exception e) {
            throw new IllegalStateException("cannot write the domain XML: " + e.getMessage(), e);
        }
    }

    private static String prefixOf(Element element, String fallback) {
        return element.getPrefix() == null ? fallback : element.getPrefix();
    }

    private List<Element> interfaces() {
        return child(domain, "devices").map(devices -> children(devices, "interface")).orElse(List.of());
    }

    private List<Element> diskElements() {
        return child(domain, "devices").map(devices -> children(devices, "disk")).orElse(List.of());
    }

    private static List<Element> qemuChildren(Element parent, String localName) {
        List<Element> found = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && QEMU_NS.equals(element.getNamespaceURI())
                    && localName.equals(element.getLocalName())) {
                found.add(element);
            }
        }
        return found;
    }

    /** Direct children in no namespace (libvirt's own elements). */
    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getNamespaceURI() == null
                    && name.equals(element.getLocalName())) {
                found.add(element);
            }
        }
        return found;
    }

    private static Optional<Element> child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /** The child, created (appended) when missing. */
    private Element element(Element parent, String name) {
        return child(parent, name).orElseGet(() -> {
            Element created = document.createElementNS(null, name);
            parent.appendChild(created);
            return created;
        });
    }

    private static List<Element> elements(Element root, String name) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = root.getElementsByTagNameNS("*", name);
        for (int i = 0; i < nodes.getLength(); i++) {
            Element element = (Element) nodes.item(i);
            if (element.getNamespaceURI() == null) {
                found.add(element);
            }
        }
        return found;
    }
}
