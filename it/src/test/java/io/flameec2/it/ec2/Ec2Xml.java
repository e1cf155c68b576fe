package io.flameec2.it.ec2;

import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** EC2's XML: responses in the 2016-11-15 namespace and the error shape of the Query API. */
final class Ec2Xml {

    static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private Ec2Xml() {
    }

    static String response(String action, String requestId, String body) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + action + "Response xmlns=\"" + NAMESPACE + "\">"
                + "<requestId>" + requestId + "</requestId>" + body + "</" + action + "Response>";
    }

    static String error(String code, String message, String requestId) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + esc(code) + "</Code>"
                + "<Message>" + esc(message) + "</Message></Error></Errors><RequestID>" + requestId
                + "</RequestID></Response>";
    }

    static String instance(BoxInstance i) {
        StringBuilder b = new StringBuilder("<item>");
        el(b, "instanceId", i.id);
        el(b, "imageId", i.imageId);
        b.append("<instanceState><code>").append(i.state.code).append("</code><name>").append(i.state.label)
                .append("</name></instanceState>");
        el(b, "privateDnsName", "ip-" + i.address.replace('.', '-') + ".box.internal");
        if (i.keyName != null) {
            el(b, "keyName", i.keyName);
        }
        el(b, "amiLaunchIndex", "0");
        el(b, "instanceType", i.instanceType);
        if ("spot".equals(i.market)) {
            el(b, "instanceLifecycle", "spot");
            el(b, "spotInstanceRequestId", "sir-" + i.id.substring(2, 10));
        }
        el(b, "launchTime", DateTimeFormatter.ISO_INSTANT.format(i.launchTime));
        b.append("<placement><availabilityZone>box-1a</availabilityZone><tenancy>default</tenancy></placement>");
        el(b, "subnetId", i.subnetId);
        el(b, "vpcId", "vpc-box");
        el(b, "privateIpAddress", i.address);
        b.append("<groupSet>");
        for (String sg : i.securityGroupIds) {
            b.append("<item><groupId>").append(esc(sg)).append("</groupId><groupName>").append(esc(sg))
                    .append("</groupName></item>");
        }
        b.append("</groupSet>");
        if (!i.stateReason.isEmpty()) {
            b.append("<stateReason><code>").append(esc(i.stateReasonCode)).append("</code><message>")
                    .append(esc(i.stateReason))
                    .append("</message></stateReason>");
        }
        if (i.iamInstanceProfileArn != null) {
            b.append("<iamInstanceProfile><arn>").append(esc(i.iamInstanceProfileArn)).append("</arn><id>AIPABOX")
                    .append(i.index).append("</id></iamInstanceProfile>");
        }
        b.append("<tagSet>");
        tags(b, i.tagsCopy());
        b.append("</tagSet>");
        b.append("<metadataOptions><state>applied</state><httpTokens>")
                .append(esc(i.request.getOrDefault("MetadataOptions.HttpTokens", "optional")))
                .append("</httpTokens><httpPutResponseHopLimit>").append(i.hopLimit)
                .append("</httpPutResponseHopLimit><httpEndpoint>enabled</httpEndpoint></metadataOptions>");
        return b.append("</item>").toString();
    }

    static String reservation(String reservationId, List<BoxInstance> instances) {
        StringBuilder b = new StringBuilder("<reservationId>").append(reservationId)
                .append("</reservationId><ownerId>000000000000</ownerId><groupSet/><instancesSet>");
        instances.forEach(i -> b.append(instance(i)));
        return b.append("</instancesSet>").toString();
    }

    static void tags(StringBuilder b, Map<String, String> tags) {
        tags.forEach((k, v) -> b.append("<item><key>").append(esc(k)).append("</key><value>").append(esc(v))
                .append("</value></item>"));
    }

    static void el(StringBuilder b, String name, String value) {
        b.append('<').append(name).append('>').append(esc(value)).append("</").append(name).append('>');
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
