/// The RelaxNG schema every spec file is validated against before it is read.
/// It fixes structure (which elements and attributes go where, which are required, the allowed
/// tokens); number formats, bit ranges and references are checked by the loader and the
/// validator, which give more precise messages than a schema can. `gen schema` prints it.
public enum SpecSchema {
  public static let relaxNG = #"""
    <?xml version="1.0" encoding="UTF-8"?>
    <grammar xmlns="http://relaxng.org/ns/structure/1.0">
      <start>
        <element name="spec">
          <attribute name="format"><value>1</value></attribute>
          <zeroOrMore>
            <choice>
              <ref name="include"/>
              <ref name="block"/>
              <ref name="chip"/>
              <ref name="packets"/>
              <ref name="mailbox"/>
              <ref name="interrupts"/>
              <ref name="opcodes"/>
              <ref name="clear-state"/>
              <ref name="structure"/>
              <ref name="overlay"/>
              <ref name="addresses"/>
            </choice>
          </zeroOrMore>
        </element>
      </start>

      <define name="doc">
        <optional><element name="doc"><text/></element></optional>
      </define>
      <define name="name"><attribute name="name"><text/></attribute></define>
      <define name="number"><text/></define>
      <define name="access">
        <optional><attribute name="access"><ref name="accessValue"/></attribute></optional>
      </define>
      <define name="accessValue">
        <choice>
          <value>rw</value><value>ro</value><value>wo</value>
          <value>w1c</value><value>w1s</value><value>rc</value>
        </choice>
      </define>

      <define name="include">
        <element name="include"><attribute name="href"><text/></attribute></element>
      </define>

      <define name="enum">
        <element name="enum">
          <ref name="name"/>
          <ref name="doc"/>
          <oneOrMore>
            <element name="value">
              <ref name="name"/>
              <attribute name="value"><ref name="number"/></attribute>
              <ref name="doc"/>
            </element>
          </oneOrMore>
        </element>
      </define>

      <define name="field">
        <element name="field">
          <ref name="name"/>
          <attribute name="bits"><text/></attribute>
          <ref name="access"/>
          <optional><attribute name="enum"><text/></attribute></optional>
          <ref name="doc"/>
        </element>
      </define>

      <define name="block">
        <element name="block">
          <ref name="name"/>
          <attribute name="version"><text/></attribute>
          <ref name="doc"/>
          <zeroOrMore>
            <element name="space">
              <ref name="name"/>
              <optional><attribute name="index"><text/></attribute></optional>
              <optional><attribute name="data"><text/></attribute></optional>
              <ref name="doc"/>
            </element>
          </zeroOrMore>
          <zeroOrMore><ref name="enum"/></zeroOrMore>
          <zeroOrMore>
            <element name="register">
              <ref name="name"/>
              <attribute name="offset"><ref name="number"/></attribute>
              <optional><attribute name="space"><text/></attribute></optional>
              <ref name="access"/>
              <optional><attribute name="reset"><ref name="number"/></attribute></optional>
              <optional><attribute name="alias-of"><text/></attribute></optional>
              <ref name="doc"/>
              <zeroOrMore><ref name="field"/></zeroOrMore>
            </element>
          </zeroOrMore>
        </element>
      </define>

      <define name="overlay">
        <element name="overlay">
          <attribute name="block"><text/></attribute>
          <ref name="doc"/>
          <oneOrMore>
            <element name="register">
              <ref name="name"/>
              <attribute name="source"><text/></attribute>
              <ref name="access"/>
              <optional><attribute name="reset"><ref name="number"/></attribute></optional>
              <zeroOrMore>
                <element name="field">
                  <ref name="name"/>
                  <attribute name="access"><ref name="accessValue"/></attribute>
                  <optional><attribute name="source"><text/></attribute></optional>
                </element>
              </zeroOrMore>
            </element>
          </oneOrMore>
        </element>
      </define>

      <define name="chip">
        <element name="chip">
          <ref name="name"/>
          <optional><attribute name="family"><text/></attribute></optional>
          <ref name="doc"/>
          <oneOrMore>
            <element name="use">
              <attribute name="block"><text/></attribute>
              <attribute name="version"><text/></attribute>
            </element>
          </oneOrMore>
          <zeroOrMore>
            <element name="pci">
              <attribute name="vendor"><ref name="number"/></attribute>
              <attribute name="device"><ref name="number"/></attribute>
              <attribute name="function">
                <choice><value>pf</value><value>vf</value><value>unknown</value></choice>
              </attribute>
              <ref name="doc"/>
            </element>
          </zeroOrMore>
          <zeroOrMore>
            <element name="golden">
              <ref name="name"/>
              <ref name="doc"/>
              <oneOrMore>
                <element name="write">
                  <attribute name="register"><text/></attribute>
                  <attribute name="and"><ref name="number"/></attribute>
                  <attribute name="or"><ref name="number"/></attribute>
                </element>
              </oneOrMore>
            </element>
          </zeroOrMore>
        </element>
      </define>

      <define name="dword">
        <element name="dword">
          <ref name="name"/>
          <ref name="doc"/>
          <choice>
            <zeroOrMore><ref name="field"/></zeroOrMore>
            <oneOrMore>
              <element name="layout">
                <ref name="name"/>
                <optional>
                  <attribute name="when"><text/></attribute>
                  <attribute name="equals"><text/></attribute>
                </optional>
                <zeroOrMore><ref name="field"/></zeroOrMore>
              </element>
            </oneOrMore>
          </choice>
        </element>
      </define>

      <define name="packets">
        <element name="packets">
          <ref name="name"/>
          <ref name="doc"/>
          <zeroOrMore><ref name="enum"/></zeroOrMore>
          <zeroOrMore>
            <element name="packet">
              <ref name="name"/>
              <attribute name="type"><choice><value>0</value><value>2</value><value>3</value></choice></attribute>
              <optional><attribute name="opcode"><ref name="number"/></attribute></optional>
              <ref name="doc"/>
              <zeroOrMore><ref name="dword"/></zeroOrMore>
              <optional>
                <choice>
                  <element name="repeat">
                    <ref name="name"/>
                    <optional><attribute name="min"><ref name="number"/></attribute></optional>
                    <optional><attribute name="max"><ref name="number"/></attribute></optional>
                    <oneOrMore><ref name="dword"/></oneOrMore>
                  </element>
                  <element name="tail">
                    <ref name="name"/>
                    <ref name="doc"/>
                  </element>
                </choice>
              </optional>
            </element>
          </zeroOrMore>
        </element>
      </define>

      <define name="mailbox">
        <element name="mailbox">
          <ref name="name"/>
          <ref name="doc"/>
          <oneOrMore>
            <element name="message">
              <ref name="name"/>
              <attribute name="id"><ref name="number"/></attribute>
              <attribute name="direction"><choice><value>request</value><value>event</value></choice></attribute>
              <optional><attribute name="reply"><text/></attribute></optional>
              <optional><attribute name="timeout-ms"><ref name="number"/></attribute></optional>
              <optional><attribute name="poll-ms"><ref name="number"/></attribute></optional>
              <optional>
                <attribute name="host-sets-valid"><choice><value>true</value><value>false</value></choice></attribute>
              </optional>
              <ref name="doc"/>
              <zeroOrMore>
                <element name="payload">
                  <ref name="name"/>
                  <attribute name="dword"><ref name="number"/></attribute>
                  <ref name="doc"/>
                </element>
              </zeroOrMore>
            </element>
          </oneOrMore>
        </element>
      </define>

      <define name="interrupts">
        <element name="interrupts">
          <ref name="name"/>
          <ref name="doc"/>
          <oneOrMore>
            <element name="source">
              <ref name="name"/>
              <attribute name="header"><text/></attribute>
              <attribute name="id"><ref name="number"/></attribute>
              <optional><attribute name="extended-id"><ref name="number"/></attribute></optional>
              <ref name="doc"/>
            </element>
          </oneOrMore>
        </element>
      </define>

      <define name="opcodes">
        <element name="opcodes">
          <attribute name="packets"><text/></attribute>
          <ref name="doc"/>
          <oneOrMore>
            <element name="opcode">
              <ref name="name"/>
              <attribute name="value"><ref name="number"/></attribute>
            </element>
          </oneOrMore>
        </element>
      </define>

      <define name="clear-state">
        <element name="clear-state">
          <ref name="name"/>
          <attribute name="registers"><text/></attribute>
          <ref name="doc"/>
          <oneOrMore>
            <element name="extent">
              <attribute name="header"><text/></attribute>
              <attribute name="start"><ref name="number"/></attribute>
              <oneOrMore>
                <choice>
                  <element name="value">
                    <attribute name="register"><text/></attribute>
                    <attribute name="value"><ref name="number"/></attribute>
                  </element>
                  <element name="hole"><empty/></element>
                </choice>
              </oneOrMore>
            </element>
          </oneOrMore>
        </element>
      </define>

      <define name="structure">
        <element name="structure">
          <ref name="name"/>
          <attribute name="dwords"><ref name="number"/></attribute>
          <optional><attribute name="registers"><text/></attribute></optional>
          <ref name="doc"/>
          <oneOrMore>
            <element name="member">
              <ref name="name"/>
              <attribute name="dword"><ref name="number"/></attribute>
              <optional><attribute name="count"><ref name="number"/></attribute></optional>
              <optional>
                <choice>
                  <attribute name="register"><text/></attribute>
                  <attribute name="type"><text/></attribute>
                </choice>
              </optional>
              <ref name="doc"/>
            </element>
          </oneOrMore>
        </element>
      </define>

      <define name="addresses">
        <element name="addresses">
          <attribute name="structure"><text/></attribute>
          <ref name="doc"/>
          <oneOrMore>
            <element name="address">
              <ref name="name"/>
              <attribute name="lo"><text/></attribute>
              <attribute name="hi"><text/></attribute>
              <optional><attribute name="shift"><ref name="number"/></attribute></optional>
              <attribute name="align"><ref name="number"/></attribute>
              <attribute name="bits"><ref name="number"/></attribute>
              <ref name="doc"/>
            </element>
          </oneOrMore>
        </element>
      </define>
    </grammar>
    """#
}
