package dev.mvmm.core.backup;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** What a domain's XML says about its identity and its disks. */
public record DomainDisks(String uuid, List<Disk> disks) {

    /** A disk: target device ({@code vda}), image file ({@code null} if not file-backed), format. */
    public record Disk(String target, String file, String format) {

        public boolean fileBacked() {
            return file != null;
        }
    }

    public DomainDisks {
        disks = List.copyOf(disks);
    }

    public static DomainDisks parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document document = factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
            NodeList uuids = document.getDocumentElement().getElementsByTagName("uuid");
            String uuid = uuids.getLength() > 0 ? uuids.item(0).getTextContent().strip() : null;
            List<Disk> disks = new ArrayList<>();
            NodeList nodes = document.getElementsByTagName("disk");
            for (int i = 0; i < nodes.getLength(); i++) {
                Element disk = (Element) nodes.item(i);
                if (!"disk".equals(disk.getAttribute("device")) && !disk.getAttribute("device").isEmpty()) {
                    continue;
                }
                Element target = first(disk, "target");
                Element source = first(disk, "source");
                Element driver = first(disk, "driver");
                String file = "file".equals(disk.getAttribute("type")) && source != null
                        && !source.getAttribute("file").isEmpty() ? source.getAttribute("file") : null;
                disks.add(new Disk(target == null ? "?" : target.getAttribute("dev"), file,
                        driver == null || driver.getAttribute("type").isEmpty() ? "raw" : driver.getAttribute("type")));
            }
            return new DomainDisks(uuid, disks);
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read the domain XML: " + e.getMessage(), e);
        }
    }

    public List<String> targets() {
        List<String> targets = new ArrayList<>();
        disks.forEach(disk -> targets.add(disk.target()));
        return targets;
    }

    private static Element first(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : (Element) nodes.item(0);
    }
}
